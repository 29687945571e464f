import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';

/**
 * The key that signs the audit chain (row MACs and the head anchor), derived from the server secret and kept per
 * database handle, so `appendAudit(trx, clock, input)` finds it without a new argument and without a module-level key.
 *
 * Lookup is by the Kysely instance's adapter object: Kysely creates one adapter per root instance, and every
 * transaction, `withPlugin` or `withSchema` view of that instance carries the same adapter. Two stores opened
 * separately never share one.
 */
export interface AuditKey {
  /** Sub-key for MACs; never the server secret itself. */
  readonly macKey: Buffer;
}

const keys = new WeakMap<object, AuditKey>();

function identityOf(db: Kysely<any>): object {
  return db.getExecutor().adapter;
}

/** Derives the audit sub-key from the 32-byte server secret (HKDF-SHA256, info `mamori audit head v1`). */
export function deriveAuditKey(secret: Buffer): AuditKey {
  return { macKey: Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'mamori audit head v1', 32)) };
}

/**
 * Makes every append through `db` (and its transactions) sign the row and the chain head. Call once when the store
 * is opened (server context, CLI). Registering again replaces the key.
 * @example registerAuditKey(store.db, config.secret);
 */
export function registerAuditKey(db: Kysely<any>, secret: Buffer): void {
  keys.set(identityOf(db), deriveAuditKey(secret));
}

/** The key registered for this database handle or any transaction of it, if any. */
export function auditKeyOf(db: Kysely<any>): AuditKey | undefined {
  return keys.get(identityOf(db));
}

/**
 * HMAC-SHA256 (hex). Head: over `head:seq:hash`. Row: over `row:hash` (the hash already commits to the row's original
 * number, content and predecessor, so a renumbered row keeps a valid MAC and is reported as renumbered instead).
 */
export function auditMac(key: AuditKey, label: 'row' | 'head', seq: number | null, hash: string): string {
  return createHmac('sha256', key.macKey).update(seq === null ? `${label}:${hash}` : `${label}:${seq}:${hash}`).digest('hex');
}

/** Constant-time comparison of a stored MAC with the expected one. */
export function macMatches(key: AuditKey, label: 'row' | 'head', seq: number | null, hash: string, stored: string): boolean {
  const expected = Buffer.from(auditMac(key, label, seq, hash), 'hex');
  const actual = /^[0-9a-f]{64}$/.test(stored) ? Buffer.from(stored, 'hex') : Buffer.alloc(0);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
