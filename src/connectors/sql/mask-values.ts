import { createHmac, randomBytes } from 'node:crypto';
import type { MaskStrategy, SqlEngine } from '../graph-schema.ts';
import { keyText } from './sql-connection.ts';

/** Random mask text made by the database: `~` and 15 characters, the shape `isMaskedValue` recognises. */
export const randomMaskSql: Record<SqlEngine, string> = {
  postgres: `'~' || substr(md5(random()::text), 1, 15)`,
  mysql: `concat('~', substr(md5(rand()), 1, 15))`,
  sqlite: `'~' || substr(lower(hex(randomblob(8))), 1, 15)`,
};

/**
 * The value a field is masked to: NULL, a fixed value, a keyed hash (HMAC-SHA256 with MAMORI_SECRET) of the value
 * before, or random text.
 * @example maskedValue('hash', 'user2', key) // 64 hex digits
 */
export function maskedValue(strategy: MaskStrategy, before: unknown, hashKey: Buffer = Buffer.alloc(32)): unknown {
  if (typeof strategy === 'object') return strategy.fixed;
  switch (strategy) {
    case 'null':
      return null;
    case 'hash':
      return before === null || before === undefined ? null : createHmac('sha256', hashKey).update(keyText(before)).digest('hex');
    case 'random':
      return `~${randomBytes(12).toString('base64url').slice(0, 15)}`;
    default: {
      const never: never = strategy;
      return never;
    }
  }
}

/**
 * Whether a value already holds what masking puts there, so a second erasure changes nothing: NULL, the fixed value,
 * a keyed hash (64 hex digits, never hashed again) or a random mask (`~` and up to 15 characters).
 */
export function isMaskedValue(engine: SqlEngine, strategy: MaskStrategy, v: unknown): boolean {
  if (typeof strategy === 'object') {
    const fixed = typeof strategy.fixed === 'boolean' && engine !== 'postgres' ? Number(strategy.fixed) : strategy.fixed;
    return v !== null && v !== undefined && keyText(v) === keyText(fixed);
  }
  switch (strategy) {
    case 'null':
      return v === null || v === undefined;
    case 'hash':
      return v === null || v === undefined || (typeof v === 'string' && /^[0-9a-f]{64}$/.test(v));
    case 'random':
      // Up to 15 characters: a column shorter than 16 characters gets a shorter mask (see `keyedRandomMask`).
      return typeof v === 'string' && /^~[A-Za-z0-9_-]{1,15}$/.test(v);
    default: {
      const never: never = strategy;
      return never;
    }
  }
}

/**
 * A random-looking mask for a column that must stay unique or is shorter than 16 characters: `~` and base64url
 * characters of HMAC-SHA256(key, table, column, row key, attempt), cut to the column's length. Different rows get
 * different values; `attempt` picks another value when one is already taken.
 * @example keyedRandomMask(key, 'person', 'name', '42', 0, 8) // '~' + 7 characters
 */
export function keyedRandomMask(hashKey: Buffer, table: string, column: string, rowKey: string, attempt: number, maxLength: number): string {
  const len = Math.max(1, Math.min(16, maxLength));
  return `~${createHmac('sha256', hashKey).update(`${table}\u0000${column}\u0000${rowKey}\u0000${attempt}`).digest('base64url').slice(0, len - 1)}`;
}
