import Fastify, { LogController, type FastifyInstance, type FastifyError } from 'fastify';
import formbody from '@fastify/formbody';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import type { AppContext } from '../context.ts';
import { errorSpec, isMamoriError } from '../errors.ts';
import { createOpenApiRegistry, type OpenApiRegistry } from './openapi.ts';
import { escapeHtml } from '../html/html.ts';
import { policyRoutes } from './policy-routes.ts';
import { privacyCenterRoutes } from './privacy-center-routes.ts';
import { consoleRoutes } from './console-routes.ts';
import { requestApiRoutes } from './request-api-routes.ts';
import { consentRoutes } from './consent-routes.ts';
import { recordsRoutes } from './records-routes.ts';
import { connectorRoutes } from './connector-routes.ts';
import { externalTransmissionRoutes } from './external-transmission-routes.ts';
import { siteAuditConsoleRoutes } from './site-audit-console-routes.ts';

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/** Each route module gets the app, the context and the OpenAPI registry it describes its operations in. */
export type RouteModule = (app: FastifyInstance, ctx: AppContext, openapi: OpenApiRegistry) => Promise<void> | void;

/** Fastify's logger with listed fields only: no bodies, no query strings (they may carry tokens), no addresses. */
const logger = {
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  serializers: {
    req: (req: { method: string; url: string; id: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
    res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
  },
};

/**
 * Paths whose successful requests are not logged one line each: the decisions API is called per page view or per
 * job by the operator's apps, and two log lines a call would cost more than the answer. Errors are still logged.
 */
class QuietHotPaths extends LogController {
  override isLogDisabled(req: { url?: string }): boolean {
    return req.url?.startsWith('/api/v1/decisions') === true;
  }
}

/**
 * Builds the Fastify app with every route module. Errors with a stable code become `{ error: { code, message } }`
 * (or a short HTML page for browser routes); unknown errors become a bare 500 with detail only in the log.
 */
export async function buildApp(ctx: AppContext): Promise<FastifyInstance> {
  const app = Fastify({ logger, logController: new QuietHotPaths(), bodyLimit: 1024 * 1024, trustProxy: ctx.config.trustProxy });
  const openapi = createOpenApiRegistry();

  await app.register(formbody, { bodyLimit: 1024 * 1024 });
  await app.register(cookie, { secret: ctx.config.secret.toString('hex') });
  await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 10, fields: 50 } });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    let code: string;
    let message: string;
    let details: unknown;
    if (isMamoriError(error)) {
      code = error.code;
      message = error.message;
      details = error.details;
    } else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.code === 'FST_REQ_FILE_TOO_LARGE' || error.statusCode === 413) {
      code = 'MAMORI_PAYLOAD_TOO_LARGE';
      message = errorSpec(code).message;
    } else if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || error.statusCode === 415) {
      code = 'MAMORI_UNSUPPORTED_MEDIA_TYPE';
      message = errorSpec(code).message;
    } else if (error.validation || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)) {
      code = 'MAMORI_BAD_REQUEST';
      message = error.validation ? error.message : 'The request body could not be read.';
    } else {
      request.log.error({ err: { type: error.name, code: error.code, stack: error.stack } }, 'unhandled error');
      code = 'MAMORI_INTERNAL';
      message = errorSpec(code).message;
    }
    const status = errorSpec(code).status;
    const wantsHtml = !request.url.startsWith('/api/') && (request.headers.accept ?? '').includes('text/html');
    if (wantsHtml) {
      void reply
        .status(status)
        .type('text/html; charset=utf-8')
        .send(`<!doctype html><html lang="ja"><meta charset="utf-8"><title>${status}</title><main style="font-family:system-ui;max-width:640px;margin:40px auto"><h1>${status}</h1><p>${escapeHtml(message)}</p><p><small>${escapeHtml(code)}</small></p><p><a href="javascript:history.back()">← 戻る / Back</a></p></main></html>`);
      return;
    }
    void reply.status(status).send({ error: { code, message, ...(details !== undefined ? { details } : {}) } });
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: { code: 'MAMORI_NOT_FOUND', message: `No route for ${request.method} ${request.url.split('?')[0]}.` } });
  });

  app.get('/healthz', async () => {
    await ctx.store.db.selectFrom('policy_versions').select('id').limit(1).execute();
    return { status: 'ok' };
  });
  openapi.add('get', '/healthz', { summary: 'Liveness and database check', tags: ['system'], responses: { '200': { description: 'The server and its database answer.' } } });

  const modules: RouteModule[] = [policyRoutes, privacyCenterRoutes, consoleRoutes, requestApiRoutes, consentRoutes, recordsRoutes, connectorRoutes, externalTransmissionRoutes, siteAuditConsoleRoutes];
  for (const mod of modules) await mod(app, ctx, openapi);

  app.get('/api/v1/openapi.json', async () => openapi.document({ title: 'mamori API', version: '1', serverUrl: ctx.config.baseUrl }));
  return app;
}
