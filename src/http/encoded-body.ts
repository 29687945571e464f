import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { etagMatches, etagOf } from './etag.ts';

/** Content codings mamori serves a static body in, best first. */
const codings = ['br', 'gzip'] as const;
type Coding = (typeof codings)[number];

/** One body kept in every coding, with a strong ETag per representation (RFC 9110 8.8.3: they differ in bytes). */
export interface EncodedBody {
  etag: string;
  identity: Buffer;
  encoded: Record<Coding, { bytes: Buffer; etag: string }>;
}

/**
 * Compresses a body once (brotli at quality 11, gzip at level 9), so each request only picks bytes.
 * @example const script = encodeBody(source); sendEncoded(request, reply, script, 'application/javascript; charset=utf-8');
 */
export function encodeBody(body: string): EncodedBody {
  const identity = Buffer.from(body, 'utf8');
  const etag = etagOf(body);
  const tagged = (coding: Coding, bytes: Buffer) => ({ bytes, etag: `${etag.slice(0, -1)}-${coding}"` });
  return {
    etag,
    identity,
    encoded: {
      br: tagged('br', brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: identity.length } })),
      gzip: tagged('gzip', gzipSync(identity, { level: 9 })),
    },
  };
}

/** The coding to answer in: the first of ours the client accepts with a q above 0 (`*` counts), else none. */
export function pickCoding(acceptEncoding: string | undefined): Coding | null {
  if (!acceptEncoding) return null;
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(name.trim(), Number.isFinite(value) ? value : 0);
  }
  return codings.find((c) => (q.get(c) ?? q.get('*') ?? 0) > 0) ?? null;
}

/**
 * Sends the representation the client accepts, with Content-Encoding, `Vary: Accept-Encoding` and its ETag, or a
 * 304 when If-None-Match names any representation of this body (the client's cached copy is the same content).
 */
export function sendEncoded(request: FastifyRequest, reply: FastifyReply, body: EncodedBody, contentType: string): FastifyReply {
  const coding = pickCoding(request.headers['accept-encoding']);
  const chosen = coding ? body.encoded[coding] : { bytes: body.identity, etag: body.etag };
  void reply.header('vary', 'Accept-Encoding').header('etag', chosen.etag);
  const tags = [body.etag, ...codings.map((c) => body.encoded[c].etag)];
  if (tags.some((t) => etagMatches(request.headers['if-none-match'], t))) return reply.status(304).send();
  if (coding) void reply.header('content-encoding', coding);
  return reply.type(contentType).header('content-length', chosen.bytes.length).send(chosen.bytes);
}
