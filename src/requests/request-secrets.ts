import { createHash, createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * The secrets of a request: the 6-digit email code and the status-link token. Only hashes are stored. The status
 * token is derived from the server secret and the request id, so every mail can carry the link while the database
 * holds nothing that opens it.
 */
export const CODE_TTL_MS = 10 * 60 * 1000;
export const CODE_MAX_ATTEMPTS = 5;

export function newEmailCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

export function hashEmailCode(secret: Buffer, requestId: string, code: string): string {
  return createHmac('sha256', secret).update(`mamori:email-code:${requestId}:${code}`).digest('hex');
}

/** Constant-time comparison of two hex digests of equal length. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

export function requestToken(secret: Buffer, requestId: string): string {
  return createHmac('sha256', secret).update(`mamori:request-token:${requestId}`).digest('base64url');
}

export function sha256Hex(value: string | Uint8Array): string {
  return createHash('sha256').update(value).digest('hex');
}
