import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM encryption at rest for request documents, gathered data and disclosure packages. The key is derived
 * from MAMORI_SECRET with HKDF per purpose, so a file sealed as one thing cannot be opened as another.
 * Layout: version byte (1) · 12-byte IV · 16-byte tag · ciphertext.
 */
export type SealPurpose = 'request-file' | 'request-gathered' | 'request-package';

const VERSION = 1;

function keyFor(secret: Buffer, purpose: SealPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `mamori:${purpose}`, 32));
}

/** @example const sealed = sealBytes(config.secret, 'request-file', bytes); openBytes(config.secret, 'request-file', sealed) */
export function sealBytes(secret: Buffer, purpose: SealPurpose, plain: Uint8Array): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(secret, purpose), iv);
  cipher.setAAD(Buffer.from(purpose));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
}

/** Opens sealed bytes; throws when the key, purpose or bytes do not match (tampering is never silent). */
export function openBytes(secret: Buffer, purpose: SealPurpose, sealed: Uint8Array): Buffer {
  const buf = Buffer.from(sealed);
  if (buf.length < 29 || buf[0] !== VERSION) throw new Error('sealed data has an unknown layout');
  const decipher = createDecipheriv('aes-256-gcm', keyFor(secret, purpose), buf.subarray(1, 13));
  decipher.setAAD(Buffer.from(purpose));
  decipher.setAuthTag(buf.subarray(13, 29));
  return Buffer.concat([decipher.update(buf.subarray(29)), decipher.final()]);
}

/** Base64 text form, for text columns. */
export const sealText = (secret: Buffer, purpose: SealPurpose, plain: Uint8Array): string => sealBytes(secret, purpose, plain).toString('base64');
export const openText = (secret: Buffer, purpose: SealPurpose, sealed: string): Buffer => openBytes(secret, purpose, Buffer.from(sealed, 'base64'));
