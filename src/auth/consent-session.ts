import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../clock.ts';

/**
 * A short consent session for one signed-in user, handed to consent.js after it spends the page's signed assertion.
 * Signed assertions are one-time (a copied one must not let anyone record choices for the user), but a person may
 * change their choices several times on one page: the banner then sends this session instead of the spent assertion.
 * Format: `base64url(JSON {s, e}).base64url(HMAC-SHA256)` under a key derived from the server secret, so it says
 * nothing to anyone but this server and stops working when the secret is rotated.
 */
const SESSION_LIFETIME_S = 60 * 60;

const sessionPayload = z.strictObject({ s: z.string().min(1).max(200), e: z.number().int().positive() });

function sessionKey(secret: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'mamori consent session v1', 32));
}

function mac(secret: Buffer, data: string): Buffer {
  return createHmac('sha256', sessionKey(secret)).update(data).digest();
}

/** A session for `subject`, valid for an hour (never longer). */
export function issueConsentSession(secret: Buffer, subject: string, clock: Clock): string {
  const body = Buffer.from(JSON.stringify({ s: subject, e: Math.floor(clock.now().getTime() / 1000) + SESSION_LIFETIME_S })).toString('base64url');
  return `${body}.${mac(secret, body).toString('base64url')}`;
}

/** The subject a session names, or null when it is forged, malformed or expired. Never throws. */
export function verifyConsentSession(secret: Buffer, token: string, clock: Clock): string | null {
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined) return null;
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(secret, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const parsed = sessionPayload.safeParse(payload);
  if (!parsed.success || parsed.data.e * 1000 <= clock.now().getTime()) return null;
  return parsed.data.s;
}
