import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { errorSpec, isMamoriError } from '../errors.ts';
import { escapeHtml } from '../html/html.ts';
import { DATABASE_RETRY_AFTER_S, isBadInputValue, isDatabaseUnavailable } from '../store/database-unavailable.ts';
import { consoleLang } from './staff-auth.ts';
import { consoleErrorText } from './console-messages.ts';

interface Translated {
  code: string;
  message: string;
  details?: unknown;
}

function fastifyCode(error: unknown): string | undefined {
  return error && typeof error === 'object' && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function statusOf(error: unknown): number | undefined {
  return error && typeof error === 'object' && 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : undefined;
}

/**
 * The stable code for any error that reaches the HTTP edge. Fastify's own errors (body too large, bad URL, too long
 * parameter, malformed multipart) keep their 4xx status but get mamori's code and a fixed message that never echoes
 * the request (a path or body may carry a token or personal data). Unknown errors are `undefined`: a bare 500.
 */
export function translateError(error: unknown): Translated | undefined {
  if (isMamoriError(error)) return { code: error.code, message: error.message, details: error.details };
  if (error instanceof ZodError) {
    return { code: 'MAMORI_VALIDATION_FAILED', message: error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ') };
  }
  if (isDatabaseUnavailable(error)) return { code: 'MAMORI_DATABASE_UNAVAILABLE', message: errorSpec('MAMORI_DATABASE_UNAVAILABLE').message };
  if (isBadInputValue(error)) return { code: 'MAMORI_BAD_REQUEST', message: 'A value cannot be stored (for example it contains a NUL character or is too long).' };
  const code = fastifyCode(error);
  const status = statusOf(error);
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || code === 'FST_REQ_FILE_TOO_LARGE' || status === 413) return { code: 'MAMORI_PAYLOAD_TOO_LARGE', message: errorSpec('MAMORI_PAYLOAD_TOO_LARGE').message };
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) return { code: 'MAMORI_UNSUPPORTED_MEDIA_TYPE', message: errorSpec('MAMORI_UNSUPPORTED_MEDIA_TYPE').message };
  if (code === 'FST_ERR_MAX_PARAM_LENGTH' || status === 414) return { code: 'MAMORI_URI_TOO_LONG', message: errorSpec('MAMORI_URI_TOO_LONG').message };
  if (code === 'FST_ERR_BAD_URL') return { code: 'MAMORI_BAD_REQUEST', message: 'The address is not valid (a malformed %-escape).' };
  if (error && typeof error === 'object' && 'validation' in error && error.validation) return { code: 'MAMORI_BAD_REQUEST', message: 'The request does not match the expected shape.' };
  // busboy's multipart errors ("Unexpected end of form", "Multipart: Boundary not found") and the multipart plugin's
  // FST_* errors are the sender's malformed body.
  if (code?.startsWith('FST_') || (status !== undefined && status >= 400 && status < 500)) return { code: 'MAMORI_BAD_REQUEST', message: 'The request body could not be read.' };
  if (error instanceof Error && /^(Unexpected end of (form|multipart data)|Part terminated early|Multipart: Boundary not found|Malformed part header|Malformed urlencoded form)/.test(error.message)) {
    return { code: 'MAMORI_BAD_REQUEST', message: 'The request body could not be read (a truncated or malformed multipart body).' };
  }
  return undefined;
}

/** Sends an error in mamori's format: `{ error: { code, message, requestId } }` or a short HTML page for browsers. */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  let t = translateError(error);
  if (!t) {
    const e = error instanceof Error ? error : new Error('non-error thrown');
    request.log.error({ err: { type: e.name, code: fastifyCode(e), stack: e.stack } }, 'unhandled error');
    t = { code: 'MAMORI_INTERNAL', message: errorSpec('MAMORI_INTERNAL').message };
  } else if (t.code === 'MAMORI_DATABASE_UNAVAILABLE') {
    request.log.warn({ err: { code: fastifyCode(error) } }, 'database unavailable');
  }
  const status = errorSpec(t.code).status;
  if (status === 503) void reply.header('retry-after', String(DATABASE_RETRY_AFTER_S));
  void reply.header('x-request-id', request.id);
  // Refused before its body was read to the end (an upload over its cap or quota): the multipart parser stops, and
  // the rest is discarded as it arrives instead of being parsed or held, so the client gets its answer.
  if (!request.raw.complete) {
    request.raw.unpipe();
    request.raw.resume();
  }
  const url = request.url ?? '';
  const wantsHtml = !url.startsWith('/api/') && (request.headers.accept ?? '').includes('text/html');
  if (wantsHtml) {
    // Console pages answer in the staff member's language (service messages are written for API callers).
    const lang = url.startsWith('/console') ? consoleLang(request) : 'ja';
    const text = (url.startsWith('/console') ? consoleErrorText(t.code, lang) : undefined) ?? t.message;
    void reply
      .status(status)
      .type('text/html; charset=utf-8')
      .send(`<!doctype html><html lang="${lang}"><meta charset="utf-8"><title>${status}</title><main style="font-family:system-ui;max-width:640px;margin:40px auto"><h1>${status}</h1><p>${escapeHtml(text)}</p><p><small>${escapeHtml(t.code)} · ${escapeHtml(String(request.id))}</small></p><p><a href="javascript:history.back()">← 戻る / Back</a></p></main></html>`);
    return;
  }
  void reply.status(status).type('application/json; charset=utf-8').send({ error: { code: t.code, message: t.message, requestId: request.id, ...(t.details !== undefined ? { details: t.details } : {}) } });
}

/** Fastify's `frameworkErrors` (bad URL, too long parameter): the same format, never the path. */
export function frameworkErrorReply(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  sendError(error, request, reply);
}
