import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../clock.ts';

/**
 * A signed statement from the operator's own app that a logged-in user is who they say ("signed assertion").
 * Two encodings, both signed with the shared secret (MAMORI_ASSERTION_SECRET) using HMAC-SHA256:
 * - JWT (HS256): `header.payload.signature`, header `{"alg":"HS256","typ":"JWT"}`;
 * - compact: `payload.signature`, where signature = HMAC-SHA256(secret, payload) and payload = base64url(JSON).
 * The payload carries `sub` (the operator's user id), `email`, and `exp` (seconds since epoch); `iat` optional.
 */
export const assertionPayload = z.object({
  sub: z.string().min(1).max(200),
  email: z.email().max(254),
  exp: z.number().int().positive(),
  iat: z.number().int().positive().optional(),
  name: z.string().max(200).optional(),
});
export type AssertionPayload = z.infer<typeof assertionPayload>;

export type AssertionResult =
  | { ok: true; payload: AssertionPayload }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' | 'unsupported_algorithm' | 'not_configured' };

/** Longest lifetime accepted, whatever `exp` says: an assertion is for one hand-over, not a session. */
const MAX_LIFETIME_S = 60 * 60;

function sign(secret: string, data: string): Buffer {
  return createHmac('sha256', secret).update(data).digest();
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Verifies a signed assertion; never throws on bad input. */
export function verifyAssertion(token: string, secret: string | undefined, clock: Clock): AssertionResult {
  if (!secret) return { ok: false, reason: 'not_configured' };
  if (typeof token !== 'string' || token.length > 4096) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  let payloadPart: string;
  let signed: string;
  let signature: string;
  if (parts.length === 3) {
    const [h, p, s] = parts as [string, string, string];
    let header: unknown;
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    const parsedHeader = z.object({ alg: z.string(), typ: z.string().optional() }).safeParse(header);
    if (!parsedHeader.success) return { ok: false, reason: 'malformed' };
    if (parsedHeader.data.alg !== 'HS256') return { ok: false, reason: 'unsupported_algorithm' };
    payloadPart = p;
    signed = `${h}.${p}`;
    signature = s;
  } else if (parts.length === 2) {
    const [p, s] = parts as [string, string];
    payloadPart = p;
    signed = p;
    signature = s;
  } else return { ok: false, reason: 'malformed' };
  if (!/^[A-Za-z0-9_-]+$/.test(signature)) return { ok: false, reason: 'malformed' };
  if (!safeEqual(sign(secret, signed), Buffer.from(signature, 'base64url'))) return { ok: false, reason: 'bad_signature' };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const parsed = assertionPayload.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'malformed' };
  const now = Math.floor(clock.now().getTime() / 1000);
  if (parsed.data.exp <= now || parsed.data.exp > now + MAX_LIFETIME_S + 60) return { ok: false, reason: 'expired' };
  return { ok: true, payload: parsed.data };
}

/** Creates an assertion (for the operator's app, the SDK and tests). `format: 'jwt'` makes an HS256 JWT. */
export function createAssertion(payload: AssertionPayload, secret: string, format: 'jwt' | 'compact' = 'compact'): string {
  const p = Buffer.from(JSON.stringify(payload)).toString('base64url');
  if (format === 'compact') return `${p}.${sign(secret, p).toString('base64url')}`;
  const h = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  return `${h}.${p}.${sign(secret, `${h}.${p}`).toString('base64url')}`;
}
