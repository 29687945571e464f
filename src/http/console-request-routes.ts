import type { RouteModule } from './app.ts';
import { html } from './html.ts';
import { consoleLang, renderConsolePage, requireStaff, rolesWith } from './staff-auth.ts';

/** The console's request workflow pages: queue, request page, staff-entered requests, actions. */
export const consoleRequestRoutes: RouteModule = (app, ctx) => {
  app.get('/console', { preHandler: requireStaff(ctx) }, async (request, reply) => {
    const ja = consoleLang(request) === 'ja';
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderConsolePage(request, { title: ja ? '請求一覧' : 'Requests', body: html`<h1>${ja ? '請求一覧' : 'Requests'}</h1>` }));
  });

  app.get('/console/requests/new', { preHandler: requireStaff(ctx, rolesWith('requests.enter')) }, async (request, reply) => {
    const ja = consoleLang(request) === 'ja';
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderConsolePage(request, { title: ja ? '請求の登録' : 'Enter a request', body: html`<h1>${ja ? '請求の登録' : 'Enter a request'}</h1>` }));
  });
};
