import { randomBytes } from 'node:crypto';

declare const brand: unique symbol;
/** A string id that cannot be mixed up with another kind of id. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type RequestId = Brand<string, 'RequestId'>;
export type SubjectId = Brand<string, 'SubjectId'>;
export type StaffId = Brand<string, 'StaffId'>;
export type VersionId = Brand<string, 'VersionId'>;

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** Random, URL-safe, sortable-enough id: `prefix_` + 20 base32 characters (100 bits). */
export function newId(prefix: string): string {
  const bytes = randomBytes(20);
  let out = '';
  for (const b of bytes) out += ALPHABET[b & 31];
  return `${prefix}_${out}`;
}

/** A secret token for links and one-time use: 256 bits, base64url. */
export function newSecretToken(): string {
  return randomBytes(32).toString('base64url');
}
