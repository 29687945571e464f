import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.ts';

/**
 * The payment provider's webhook signature: header `x-mamori-signature: t=<unix seconds>,v1=<hex>` where
 * v1 = HMAC-SHA256(MAMORI_PAYMENT_WEBHOOK_SECRET, `${t}.${rawBody}`). Older than 5 minutes (or in the future) is refused,
 * so a captured call cannot be replayed later.
 */
export const WEBHOOK_TOLERANCE_S = 300;
export const WEBHOOK_SIGNATURE_HEADER = 'x-mamori-signature';

export function signPaymentWebhook(secret: string, rawBody: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${rawBody}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}

export type WebhookCheck = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'bad_signature' };

export function checkPaymentWebhookSignature(secret: string, rawBody: string, header: string | undefined, clock: Clock): WebhookCheck {
  if (!header) return { ok: false, reason: 'missing' };
  const m = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header.trim());
  if (!m) return { ok: false, reason: 'malformed' };
  const t = Number(m[1]);
  const now = Math.floor(clock.now().getTime() / 1000);
  if (Math.abs(now - t) > WEBHOOK_TOLERANCE_S) return { ok: false, reason: 'stale' };
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  const given = Buffer.from(m[2] ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: 'bad_signature' };
}
