import type { preHandlerAsyncHookHandler, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import type { Actor } from '../audit/audit-log.ts';
import { MamoriError } from '../errors.ts';
import { resolveStaffSession, csrfTokenFor, csrfTokenMatches } from '../staff/staff-sessions.ts';
import { resolveApiKey } from '../staff/api-keys.ts';
import { can, roleLabels, staffRoles as roles, type StaffPermission, type StaffRole as Role } from '../staff/staff-permissions.ts';
import { html, trusted, type SafeHtml } from '../html/html.ts';
import { pickLang, renderPage, type Lang } from '../html/layout.ts';

/** Staff roles. admin: everything; officer: decides requests, publishes, incidents; staff: handles requests; auditor: reads the audit log and records. */
export type StaffRole = Role;
export const staffRoles: readonly StaffRole[] = roles;
export { rolesWith, can, type StaffPermission } from '../staff/staff-permissions.ts';

export interface StaffPrincipal {
  id: string;
  /** The account's email; for an API key, `apikey:<prefix>` (a key has no mailbox). */
  email: string;
  role: StaffRole;
  /** How they authenticated: a console session or an API key. */
  via: 'session' | 'api_key';
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The connectors reach the made-up demo database (`serve --demo`); every console page says so. */
    mamoriDemo: boolean;
  }
  interface FastifyRequest {
    staff?: StaffPrincipal;
    /** The CSRF token of the staff session (set by requireStaff). */
    staffCsrf?: string;
  }
}

/** The console session cookie. httpOnly, SameSite=Strict, Secure when the base URL is https. */
export const STAFF_COOKIE = 'mamori_staff';
/** Name of the CSRF form field (also accepted as the `x-csrf-token` header or, for multipart forms, `?_csrf=`). */
export const CSRF_FIELD = '_csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The audit actor for whoever is signed in: `staff:<id>` or `apikey:<id>`. */
export function staffActor(principal: StaffPrincipal): Actor {
  return principal.via === 'api_key' ? `apikey:${principal.id}` : `staff:${principal.id}`;
}

/** The language a staff member chose with the console's switch (kept for a year, console paths only). */
export const CONSOLE_LANG_COOKIE = 'mamori_console_lang';

/** The console's language: `?lang=`, then the switch's cookie, then Accept-Language; Japanese by default. */
export function consoleLang(request: FastifyRequest): Lang {
  const query = request.query;
  if (query && typeof query === 'object' && 'lang' in query) return pickLang(query, request.headers['accept-language']);
  const chosen = request.cookies?.[CONSOLE_LANG_COOKIE];
  if (chosen === 'ja' || chosen === 'en') return chosen;
  return pickLang(query, request.headers['accept-language']);
}

/** The address of this page in the other language (a POST's answer links to the queue, which a GET can show). */
function otherLangHref(request: FastifyRequest, to: Lang): string {
  const url = new URL(request.url, 'http://console.invalid');
  if (request.method !== 'GET' || !url.pathname.startsWith('/console')) return `/console?lang=${to}`;
  url.searchParams.set('lang', to);
  url.searchParams.delete('done');
  url.searchParams.delete('n');
  return `${url.pathname}?${url.searchParams.toString()}`;
}

function presentedCsrf(request: FastifyRequest): unknown {
  const header = request.headers['x-csrf-token'];
  if (typeof header === 'string') return header;
  const body = request.body;
  if (body && typeof body === 'object' && CSRF_FIELD in body) return (body as Record<string, unknown>)[CSRF_FIELD];
  const query = request.query;
  if (query && typeof query === 'object' && CSRF_FIELD in query) return (query as Record<string, unknown>)[CSRF_FIELD];
  return undefined;
}

function wantsHtml(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('text/html');
}

/** What a route's guard declares: which surface it serves and the permission it asks for (undefined: any staff). */
export interface GuardDeclaration {
  surface: 'console' | 'api';
  permission: StaffPermission | undefined;
}

const declarations = new WeakMap<object, GuardDeclaration>();

/** The declaration of a guard made by requireStaff/requireApiKey, or undefined for any other hook. */
export function guardDeclaration(hook: unknown): GuardDeclaration | undefined {
  return typeof hook === 'function' ? declarations.get(hook) : undefined;
}

function forbidden(role: Role, surface: 'console' | 'api'): MamoriError {
  return surface === 'api'
    ? new MamoriError('MAMORI_FORBIDDEN', `This API key's role (${role}) does not allow this operation.`)
    : new MamoriError('MAMORI_FORBIDDEN', `Your role (${role}) does not allow this action. Ask an administrator if you need it. / ご担当の権限（${roleLabels[role].ja}）ではこの操作を行えません。必要な場合は管理者にご相談ください。`);
}

/**
 * Console pages: requires a signed-in staff session whose role holds `permission` in the one permission table
 * (any role when omitted) and, on
 * state-changing methods, a valid CSRF token. Sets `request.staff`. A browser without a session is sent to the
 * sign-in page (and back afterwards); anything else gets 401 MAMORI_AUTH_REQUIRED.
 */
export function requireStaff(ctx: AppContext, permission?: StaffPermission): preHandlerAsyncHookHandler {
  const guard: preHandlerAsyncHookHandler = async (request, reply) => {
    const session = await resolveStaffSession(ctx.store.db, ctx.clock, request.cookies[STAFF_COOKIE]);
    if (!session) {
      if (SAFE_METHODS.has(request.method) && wantsHtml(request)) {
        const next = request.url.startsWith('/console') ? request.url : '/console';
        await reply.redirect(`/console/login?next=${encodeURIComponent(next)}`, 303);
        return reply;
      }
      throw new MamoriError('MAMORI_AUTH_REQUIRED', 'Please sign in to the staff console. / スタッフコンソールにサインインしてください。');
    }
    const asked = request.query && typeof request.query === 'object' && 'lang' in request.query ? (request.query as { lang?: unknown }).lang : undefined;
    if (asked === 'ja' || asked === 'en') void reply.setCookie(CONSOLE_LANG_COOKIE, asked, { path: '/console', sameSite: 'lax', httpOnly: true, secure: ctx.config.baseUrl.startsWith('https:'), maxAge: 365 * 86_400 });
    const csrf = csrfTokenFor(ctx.config.secret, session.tokenHash);
    request.staff = { id: session.staffId, email: session.email, role: session.role, via: 'session' };
    request.staffCsrf = csrf;
    if (!SAFE_METHODS.has(request.method) && !csrfTokenMatches(ctx.config.secret, session.tokenHash, presentedCsrf(request))) {
      throw new MamoriError('MAMORI_CSRF_INVALID', 'This form has expired or was not sent from the console. Please go back, reload the page and try again. / フォームの有効期限が切れたか、コンソール以外から送信されました。前の画面に戻り、再読み込みしてからもう一度お試しください。');
    }
    if (permission && !can(session.role, permission)) throw forbidden(session.role, 'console');
  };
  declarations.set(guard, { surface: 'console', permission });
  return guard;
}

/** Staff JSON API: requires `Authorization: Bearer <api key>` whose role holds `permission` (the same table as the console). Sets `request.staff`. */
export function requireApiKey(ctx: AppContext, permission?: StaffPermission): preHandlerAsyncHookHandler {
  const guard: preHandlerAsyncHookHandler = async (request) => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    const key = match?.[1] ? await resolveApiKey(ctx.store.db, ctx.clock, match[1]) : undefined;
    if (!key) throw new MamoriError('MAMORI_API_KEY_INVALID', 'Send a valid, unrevoked API key as `Authorization: Bearer mk_…` (create one with `mamori apikey add`).');
    request.staff = { id: key.id, email: `apikey:${key.prefix}`, role: key.role, via: 'api_key' };
    if (permission && !can(key.role, permission)) throw forbidden(key.role, 'api');
  };
  declarations.set(guard, { surface: 'api', permission });
  return guard;
}

/** The hidden CSRF field every console form must include. */
export function csrfField(request: FastifyRequest): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${request.staffCsrf ?? ''}">`;
}

/** For multipart console forms (the body is streamed, so the token travels in the action URL): `?_csrf=…`. */
export function csrfQuery(request: FastifyRequest): string {
  return `${CSRF_FIELD}=${encodeURIComponent(request.staffCsrf ?? '')}`;
}

const CONSOLE_CSS = `.overdue td:first-child{border-left:6px solid var(--warn)}.badge{display:inline-block;padding:0 6px;border-radius:3px;font-size:.85em;font-weight:700}.badge.overdue{background:#fde7e7;color:var(--warn);border:1px solid var(--warn)}.badge.paused{background:#fff6d6;border:1px solid #b58a00}.filters{display:flex;gap:12px;flex-wrap:wrap;align-items:end}.filters>div{min-width:150px}.actions{display:grid;gap:16px}.actions form{border:1px solid var(--line);padding:12px;border-radius:4px}fieldset{border:1px solid var(--line);border-radius:4px;min-width:0}main{max-width:1100px;overflow-wrap:anywhere}input,select,textarea{min-width:0;max-width:100%}.wrap{white-space:pre-wrap;overflow-wrap:anywhere}.triple{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:8px}.tabs{display:flex;gap:4px 16px;flex-wrap:wrap;margin:8px 0}.tabs a.current{font-weight:700;text-decoration:none;border-bottom:3px solid var(--accent)}.filters>div.wide{flex:1 1 280px}.inline-form{display:flex;gap:8px;flex-wrap:wrap;align-items:end}.inline-form select{width:auto;flex:1 1 200px}.notes{padding-left:1.2em}.confirm{background:#fff6d6;padding:6px 8px;border-radius:4px}.table-scroll{max-width:100%;overflow-x:auto}@media (max-width:700px){main{padding:12px}header.site{padding:8px 12px}.filters>div{min-width:0;flex:1 1 100%}.triple{grid-template-columns:minmax(0,1fr)}main table:not(.queue){display:block;overflow-x:auto;max-width:100%}table.queue,table.queue tbody,table.queue tr,table.queue td{display:block;width:100%}table.queue thead{position:absolute;left:-9999px}table.queue tr{border:1px solid var(--line);margin-bottom:8px}table.queue td{border:0;border-bottom:1px solid var(--line)}table.queue td::before{content:attr(data-label);display:block;font-size:.8em;color:var(--muted)}}`;

interface NavItem {
  href: string;
  permission: StaffPermission;
  label: { ja: string; en: string };
}

const NAV: readonly NavItem[] = [
  { href: '/console', permission: 'requests.view', label: { ja: '請求一覧', en: 'Requests' } },
  { href: '/console/requests/new', permission: 'requests.enter', label: { ja: '請求の登録', en: 'Enter a request' } },
  { href: '/console/records', permission: 'records.view', label: { ja: '記録', en: 'Records' } },
  { href: '/console/site-audit', permission: 'records.view', label: { ja: 'サイト監査', en: 'Site audit' } },
  { href: '/console/audit', permission: 'audit.view', label: { ja: '監査ログ', en: 'Audit log' } },
  { href: '/console/staff', permission: 'staff.manage', label: { ja: 'スタッフとAPIキー', en: 'Staff and API keys' } },
];

/** The console frame (navigation by role, sign-out form). */
export function renderConsolePage(request: FastifyRequest, opts: { title: string; body: SafeHtml }): string {
  const lang = consoleLang(request);
  const staff = request.staff;
  const items = staff ? NAV.filter((n) => can(staff.role, n.permission)) : [];
  const nav = staff
    ? html`<nav aria-label="${lang === 'ja' ? 'コンソール' : 'Console'}" style="display:flex;gap:16px;flex-wrap:wrap;align-items:center">
${items.map((n) => html`<a href="${n.href}">${n.label[lang]}</a>`)}
<span class="muted">${staff.email}（${roleLabels[staff.role][lang]}）</span>
${lang === 'ja' ? html`<a href="${otherLangHref(request, 'en')}" lang="en" hreflang="en">English</a>` : html`<a href="${otherLangHref(request, 'ja')}" lang="ja" hreflang="ja">日本語</a>`}
<form method="post" action="/console/logout" style="margin:0">${csrfField(request)}<button type="submit" class="secondary">${lang === 'ja' ? 'サインアウト' : 'Sign out'}</button></form>
</nav>`
    : html``;
  const demo = request.server.mamoriDemo
    ? html`<p class="demo-notice" role="note" style="border:2px dashed #b45309;padding:8px 12px;margin:0 0 16px"><strong>${lang === 'ja' ? 'デモ' : 'Demo'}</strong>: ${lang === 'ja' ? 'コネクタは架空の利用者のデモ用データベースにつながっています。実際のデータベースは --graph または MAMORI_GRAPH で指定してください。' : 'the connectors reach a demo database of made-up users. Give your own with --graph or MAMORI_GRAPH.'}</p>`
    : html``;
  return renderPage({ lang, title: `${opts.title} | ${lang === 'ja' ? 'スタッフコンソール' : 'Staff console'}`, body: html`${demo}${opts.body}`, brand: 'mamori console', nav, head: html`<meta name="robots" content="noindex"><style>${trusted(CONSOLE_CSS)}</style>` });
}
