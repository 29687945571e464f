import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RouteModule } from './route-module.ts';
import type { AppContext } from '../context.ts';
import { isMamoriError } from '../errors.ts';
import { authenticateStaff } from '../staff/staff-users.ts';
import { createStaffSession, resolveStaffSession, revokeStaffSession, SESSION_ABSOLUTE_MS } from '../staff/staff-sessions.ts';
import { html } from '../html/html.ts';
import { renderPage, type Lang } from '../html/layout.ts';
import { consoleLang, requireApiKey, requireStaff, STAFF_COOKIE } from './staff-auth.ts';
import { errorBody } from './openapi.ts';
import { PAGE_CSP } from './page-headers.ts';
import { consoleRequestRoutes } from './console-request-routes.ts';
import { consoleStaffRoutes } from './console-staff-routes.ts';

const LOGIN_CSRF_COOKIE = 'mamori_login_csrf';

/** Only paths inside the console: never an open redirect. */
export function safeConsoleNext(next: unknown): string {
  if (typeof next !== 'string' || !/^\/console(?:[/?#]|$)/.test(next) || next.includes('//') || next.includes('\\')) return '/console';
  return next;
}

function secureCookies(ctx: AppContext): boolean {
  return ctx.config.baseUrl.startsWith('https:');
}

const loginBody = z.object({ email: z.string().max(254).default(''), password: z.string().max(256).default(''), _csrf: z.string().max(100).default(''), next: z.string().max(2000).optional() });

interface LoginView {
  lang: Lang;
  csrf: string;
  next: string;
  email?: string;
  error?: { code: string; text: string; field?: 'email' | 'password' };
}

function loginPage(v: LoginView): string {
  const ja = v.lang === 'ja';
  const body = html`<h1>${ja ? 'スタッフコンソールへのサインイン' : 'Sign in to the staff console'}</h1>
${v.error
  ? html`<div class="notice error" role="alert" id="error-summary" tabindex="-1" autofocus><h2 style="margin-top:0;border:0">${ja ? '入力内容をご確認ください' : 'Please check what you entered'}</h2>
<p><a href="#${v.error.field ?? 'email'}">${v.error.text}</a></p><p class="muted"><small>${v.error.code}</small></p></div>`
  : ''}
<form method="post" action="/console/login" class="stack" novalidate>
<input type="hidden" name="_csrf" value="${v.csrf}">
<input type="hidden" name="next" value="${v.next}">
<div><label for="email">${ja ? 'メールアドレス' : 'Email'}</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${v.email ?? ''}"${v.error ? html` aria-describedby="error-summary"` : ''}></div>
<div><label for="password">${ja ? 'パスワード' : 'Password'}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required></div>
<div><button type="submit">${ja ? 'サインイン' : 'Sign in'}</button></div>
</form>
<p class="muted">${ja ? html`アカウントは管理者が <code>mamori user add</code> で作成します。パスワードを忘れた場合は管理者にご連絡ください。` : html`Accounts are created by an administrator with <code>mamori user add</code>. If you forgot your password, please contact your administrator.`}</p>`;
  return renderPage({ lang: v.lang, title: ja ? 'サインイン | スタッフコンソール' : 'Sign in | Staff console', body, brand: 'mamori console' });
}

function issueLoginCsrf(ctx: AppContext, reply: FastifyReply): string {
  const token = randomBytes(24).toString('base64url');
  void reply.setCookie(LOGIN_CSRF_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: secureCookies(ctx), path: '/console', maxAge: 3600 });
  return token;
}

function sameToken(a: string | undefined, b: string): boolean {
  if (!a || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function sendHtml(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').header('content-security-policy', PAGE_CSP).send(page);
}

/** The staff console: sign-in, sign-out, and the request workflow pages (console-request-routes.ts). */
export const consoleRoutes: RouteModule = async (app, ctx, openapi) => {
  app.get('/console/login', async (request: FastifyRequest, reply) => {
    const lang = consoleLang(request);
    const query = z.object({ next: z.string().max(2000).optional() }).safeParse(request.query);
    const next = safeConsoleNext(query.success ? query.data.next : undefined);
    const session = await resolveStaffSession(ctx.store.db, ctx.clock, request.cookies[STAFF_COOKIE]);
    if (session) return reply.redirect(next, 303);
    return sendHtml(reply, 200, loginPage({ lang, csrf: issueLoginCsrf(ctx, reply), next }));
  });

  app.post('/console/login', async (request, reply) => {
    const lang = consoleLang(request);
    const parsed = loginBody.safeParse(request.body ?? {});
    const body = parsed.success ? parsed.data : { email: '', password: '', _csrf: '', next: undefined };
    const next = safeConsoleNext(body.next);
    const ja = lang === 'ja';
    if (!sameToken(request.cookies[LOGIN_CSRF_COOKIE], body._csrf)) {
      return sendHtml(reply, 403, loginPage({ lang, csrf: issueLoginCsrf(ctx, reply), next, email: body.email, error: { code: 'MAMORI_CSRF_INVALID', text: ja ? 'サインイン画面の有効期限が切れました。もう一度入力してください。' : 'The sign-in form expired. Please enter your details again.' } }));
    }
    if (body.email.trim() === '' || body.password === '') {
      const field = body.email.trim() === '' ? 'email' : 'password';
      return sendHtml(reply, 400, loginPage({ lang, csrf: issueLoginCsrf(ctx, reply), next, email: body.email, error: { code: 'MAMORI_VALIDATION_FAILED', field, text: field === 'email' ? (ja ? 'メールアドレスを入力してください。' : 'Please enter your email.') : (ja ? 'パスワードを入力してください。' : 'Please enter your password.') } }));
    }
    try {
      const user = await authenticateStaff(ctx.store, ctx.clock, { email: body.email, password: body.password, ip: request.ip });
      const { token } = await createStaffSession(ctx.store.db, ctx.clock, user.id);
      void reply.setCookie(STAFF_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: secureCookies(ctx), path: '/', maxAge: Math.floor(SESSION_ABSOLUTE_MS / 1000) });
      void reply.clearCookie(LOGIN_CSRF_COOKIE, { path: '/console' });
      return reply.redirect(next, 303);
    } catch (err) {
      if (!isMamoriError(err)) throw err;
      const text =
        err.code === 'MAMORI_RATE_LIMITED'
          ? ja ? 'サインインの失敗が続いたため、一時的に受け付けを停止しています。15分ほど時間をおいてから、もう一度お試しください。' : 'Too many failed attempts. Please wait about 15 minutes and try again.'
          : ja ? 'メールアドレスまたはパスワードが正しくありません。' : 'The email or password is incorrect.';
      return sendHtml(reply, err.status, loginPage({ lang, csrf: issueLoginCsrf(ctx, reply), next, email: body.email, error: { code: err.code, text } }));
    }
  });

  app.post('/console/logout', { preHandler: requireStaff(ctx) }, async (request, reply) => {
    const session = await resolveStaffSession(ctx.store.db, ctx.clock, request.cookies[STAFF_COOKIE]);
    if (session) await revokeStaffSession(ctx.store.db, ctx.clock, session);
    void reply.clearCookie(STAFF_COOKIE, { path: '/' });
    return reply.redirect('/console/login', 303);
  });

  const principal = z.object({ id: z.string(), email: z.string(), role: z.enum(['admin', 'officer', 'staff', 'auditor']), via: z.enum(['session', 'api_key']) });
  app.get('/api/v1/console/me', { preHandler: requireApiKey(ctx) }, async (request) => ({ staff: request.staff }));
  openapi.add('get', '/api/v1/console/me', {
    summary: 'Who the API key acts as (id, role)',
    tags: ['console'],
    security: [{ apiKey: [] }],
    responses: { '200': { description: 'The key is valid.', schema: z.object({ staff: principal }) }, '401': { description: 'Missing, unknown or revoked key (MAMORI_API_KEY_INVALID).', schema: errorBody } },
  });

  await consoleRequestRoutes(app, ctx, openapi);
  await consoleStaffRoutes(app, ctx, openapi);
};

