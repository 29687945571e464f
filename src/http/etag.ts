import { createHash } from 'node:crypto';

/** A strong entity tag for a body: the first 16 characters of its SHA-256, quoted. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
}

/**
 * Whether an If-None-Match header names this tag (RFC 9110 13.1.2: a list, weak comparison, or `*`), so the answer
 * can be 304 with no body.
 */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const bare = (tag: string) => (tag.startsWith('W/') ? tag.slice(2) : tag);
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || bare(tag) === bare(etag);
  });
}
