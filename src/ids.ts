import { randomBytes } from 'node:crypto';

declare const brand: unique symbol;
/** A string id that cannot be mixed up with another kind of id. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type RequestId = Brand<string, 'RequestId'>;
export type SubjectId = Brand<string, 'SubjectId'>;
export type StaffId = Brand<string, 'StaffId'>;
export type VersionId = Brand<string, 'VersionId'>;

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

// Random bytes for ids, drawn from the CSPRNG 256 ids at a time: a filing makes half a dozen ids, and one call per
// id cost more than the id (Node's randomUUID caches its random bytes the same way). Each byte is used once.
const ID_BYTES = 20;
let pool = Buffer.alloc(0);
let used = 0;

/** Random, URL-safe, sortable-enough id: `prefix_` + 20 base32 characters (100 bits). */
export function newId(prefix: string): string {
  if (used + ID_BYTES > pool.length) {
    pool = randomBytes(ID_BYTES * 256);
    used = 0;
  }
  let out = `${prefix}_`;
  for (let i = used; i < used + ID_BYTES; i++) out += ALPHABET[pool[i]! & 31];
  used += ID_BYTES;
  return out;
}

/** A secret token for links and one-time use: 256 bits, base64url. */
export function newSecretToken(): string {
  return randomBytes(32).toString('base64url');
}
