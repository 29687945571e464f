import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Seals JSON with AES-256-GCM (key: MAMORI_SECRET): identities and access results are never stored in clear. */
export function sealJson(key: Buffer, value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return `v1.${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${body.toString('base64url')}`;
}

/** Opens a sealed value; the caller parses the result with a schema. Throws when the value was tampered with. */
export function openSealedJson(key: Buffer, sealed: string): unknown {
  const [v, iv, tag, body] = sealed.split('.');
  if (v !== 'v1' || !iv || !tag || body === undefined) throw new Error('not a sealed value');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  const text = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  const parsed: unknown = JSON.parse(text);
  return parsed;
}
