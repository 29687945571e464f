import type { FastifyInstance } from 'fastify';
import { MamoriError } from '../errors.ts';
import { PAGE_CSP } from './page-headers.ts';

/** True when any string in a parsed body, query or path parameter holds a NUL character (PostgreSQL cannot store one). */
export function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  if (Buffer.isBuffer(value)) return false;
  for (const [k, v] of Object.entries(value)) if (k.includes('\u0000') || containsNul(v, depth + 1)) return true;
  return false;
}

/** Pages whose answers must not be kept by a browser or proxy: they show a person's request or staff data. */
const PRIVATE_PAGES = /^\/(console|privacy-center)(\/|$|\?)/;

/**
 * Hooks every route shares, so no route can forget them:
 * - path parameters, query strings and bodies with a NUL character are refused (400) before any handler sees them,
 *   on SQLite as on PostgreSQL (multipart fields are checked where they are read);
 * - every HTML answer carries a Content-Security-Policy (unless the route set a stricter one), frame protection,
 *   nosniff and a referrer policy; console and privacy-center pages also `cache-control: no-store`;
 * - every answer names its request id (`x-request-id`), the id of its log lines.
 */
export function installEdgeHooks(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (containsNul(request.params) || containsNul(request.query) || containsNul(request.body)) {
      throw new MamoriError('MAMORI_BAD_REQUEST', 'A value contains a NUL character, which is not accepted.');
    }
  });
  app.addHook('onSend', async (request, reply, payload) => {
    void reply.header('x-request-id', request.id);
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('text/html')) {
      if (!reply.hasHeader('content-security-policy')) void reply.header('content-security-policy', PAGE_CSP);
      void reply.header('x-frame-options', 'DENY').header('x-content-type-options', 'nosniff');
      if (!reply.hasHeader('referrer-policy')) void reply.header('referrer-policy', 'same-origin');
      if (PRIVATE_PAGES.test(request.url)) void reply.header('cache-control', 'no-store');
    }
    return payload;
  });
}
