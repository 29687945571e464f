import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header names of a signed webhook request or callback. */
export const SIGNATURE_HEADER = 'x-mamori-signature';
export const TIMESTAMP_HEADER = 'x-mamori-timestamp';
/** A signature older or newer than this is refused (replay protection). */
export const SIGNATURE_TOLERANCE_MS = 5 * 60 * 1000;

/**
 * `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`); timestamp in Unix seconds.
 * @example const sig = signWebhook(secret, Math.floor(Date.now() / 1000), JSON.stringify(payload));
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Checks a signature and its timestamp window against `now`. */
export function verifyWebhook(secret: string, timestampHeader: string | undefined, signature: string | undefined, body: string, now: Date): boolean {
  if (!timestampHeader || !signature || !/^\d{1,12}$/.test(timestampHeader)) return false;
  const ts = Number(timestampHeader);
  if (Math.abs(now.getTime() - ts * 1000) > SIGNATURE_TOLERANCE_MS) return false;
  const expected = Buffer.from(signWebhook(secret, ts, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
