import Fastify, { LogController, type FastifyInstance, type FastifyError } from 'fastify';
import formbody from '@fastify/formbody';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import type { AppContext } from '../context.ts';
import { createOpenApiRegistry } from './openapi.ts';
import type { RouteModule } from './route-module.ts';
import { frameworkErrorReply, sendError } from './error-reply.ts';
import { installEdgeHooks } from './edge-hooks.ts';
import { createFastRoutes } from './fast-routes.ts';
import { trackRoutes } from './route-catalog.ts';
import { randomUUID } from 'node:crypto';
import { policyRoutes } from './policy-routes.ts';
import { privacyCenterRoutes } from './privacy-center-routes.ts';
import { consoleRoutes } from './console-routes.ts';
import { requestApiRoutes } from './request-api-routes.ts';
import { consentRoutes } from './consent-routes.ts';
import { consentScriptRoutes } from './consent-script-routes.ts';
import { recordsRoutes } from './records-routes.ts';
import { connectorRoutes } from './connector-routes.ts';
import { healthRoutes } from './health-routes.ts';
import { externalTransmissionRoutes } from './external-transmission-routes.ts';
import { siteAuditConsoleRoutes } from './site-audit-console-routes.ts';

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

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
  // The decisions hot path is answered ahead of Fastify's routing and hooks in its common valid case (fast-routes.ts).
  const fast = createFastRoutes();
  const app = Fastify({
    serverFactory: fast.serverFactory,
    logger, logController: new QuietHotPaths(), bodyLimit: 1024 * 1024, trustProxy: ctx.config.trustProxy,
    // A request id on every log line and error body (a random one: an incoming header is never trusted).
    genReqId: () => randomUUID(), requestIdHeader: false,
    // Ids are at most 80 characters; longer parameters get mamori's 414, and a bad %-escape mamori's 400 (never the path).
    routerOptions: { maxParamLength: 200 }, frameworkErrors: frameworkErrorReply,
  });
  const openapi = createOpenApiRegistry();
  app.decorate('mamoriDemo', ctx.config.demo === true);
  app.decorate('fastRoutes', fast);
  app.addHook('preClose', (done) => {
    fast.stop();
    done();
  });

  await app.register(formbody, { bodyLimit: 1024 * 1024 });
  await app.register(cookie, { secret: ctx.config.secret.toString('hex') });
  await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 10, fields: 50 } });

  app.setErrorHandler((error: FastifyError, request, reply) => sendError(error, request, reply));
  installEdgeHooks(app);
  trackRoutes(app);

  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: { code: 'MAMORI_NOT_FOUND', message: `No route for ${request.method} ${request.url.split('?')[0]?.slice(0, 200)}.`, requestId: request.id } });
  });

  const modules: RouteModule[] = [healthRoutes, policyRoutes, privacyCenterRoutes, consoleRoutes, requestApiRoutes, consentRoutes, consentScriptRoutes, recordsRoutes, connectorRoutes, externalTransmissionRoutes, siteAuditConsoleRoutes];
  for (const mod of modules) await mod(app, ctx, openapi);

  app.get('/api/v1/openapi.json', async () => openapi.document({ title: 'mamori API', version: '1', serverUrl: ctx.config.baseUrl }));
  return app;
}
