import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RouteModule } from './route-module.ts';
import { isMamoriError, MamoriError } from '../errors.ts';
import type { Actor } from '../audit/audit-log.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../staff/api-keys.ts';
import { generatePassword } from '../staff/password-hash.ts';
import { roleLabels, staffRoles, type StaffRole } from '../staff/staff-permissions.ts';
import { createStaffUser, disableStaffUser, enableStaffUser, listStaffUsers, resetStaffPassword, type StaffUser } from '../staff/staff-users.ts';
import { html, type SafeHtml } from '../html/html.ts';
import type { Lang } from '../html/layout.ts';
import { PAGE_CSP } from './page-headers.ts';
import { consoleLang, csrfField, renderConsolePage, requireStaff, staffActor } from './staff-auth.ts';
import { formatTime, messageBox, type ConsoleMessage } from './console-page-parts.ts';

function t(lang: Lang, ja: string, en: string): string {
  return lang === 'ja' ? ja : en;
}

function actorOf(request: FastifyRequest): Actor {
  if (!request.staff) throw new MamoriError('MAMORI_AUTH_REQUIRED');
  return staffActor(request.staff);
}

const roleField = z.enum(['admin', 'officer', 'staff', 'auditor']);

/** Admins manage staff accounts and API keys here as well as with the CLI; a new secret is shown once. */
export const consoleStaffRoutes: RouteModule = (app, ctx) => {
  const guard = requireStaff(ctx, 'staff.manage');

  async function render(request: FastifyRequest, reply: FastifyReply, status: number, message?: ConsoleMessage, secret?: { label: string; value: string }): Promise<FastifyReply> {
    const lang = consoleLang(request);
    const users = await listStaffUsers(ctx.store.db);
    const keys = await listApiKeys(ctx.store.db);
    const roleOptions = (selected: StaffRole) => staffRoles.map((r) => html`<option value="${r}"${r === selected ? html` selected` : ''}>${roleLabels[r][lang]}</option>`);
    const body: SafeHtml = html`<h1>${t(lang, 'スタッフとAPIキー', 'Staff and API keys')}</h1>
${messageBox(message)}
${secret ? html`<div class="notice" role="status" id="secret"><p><strong>${secret.label}</strong></p><p><code>${secret.value}</code></p><p>${t(lang, 'この画面を離れると二度と表示されません。安全な方法で本人に伝えてください。', 'It will not be shown again. Pass it on securely.')}</p></div>` : ''}
<h2>${t(lang, 'スタッフ', 'Staff')}</h2>
<table><thead><tr><th scope="col">${t(lang, 'メールアドレス', 'Email')}</th><th scope="col">${t(lang, '権限', 'Role')}</th><th scope="col">${t(lang, '状態', 'Status')}</th><th scope="col">${t(lang, '最終サインイン', 'Last sign-in')}</th><th scope="col"><span class="muted">${t(lang, '操作', 'Action')}</span></th></tr></thead>
<tbody>${users.map((u) => html`<tr><td>${u.email}</td><td>${roleLabels[u.role][lang]}</td><td>${u.disabled ? t(lang, '無効', 'Disabled') : t(lang, '有効', 'Active')}</td><td>${u.lastLoginAt ? formatTime(u.lastLoginAt, lang) : '—'}</td>
<td>${userActions(request, lang, u)}</td></tr>`)}</tbody></table>
<form method="post" action="/console/staff/users" class="stack">${csrfField(request)}
<h3 style="margin-top:0">${t(lang, 'スタッフを追加', 'Add a staff member')}</h3>
<div><label for="new-email">${t(lang, 'メールアドレス', 'Email')}</label><input id="new-email" name="email" type="email" required></div>
<div><label for="new-role">${t(lang, '権限', 'Role')}</label><select id="new-role" name="role">${roleOptions('staff')}</select></div>
<p class="muted">${t(lang, '初期パスワードは自動で作成し、一度だけ表示します。', 'A strong password is generated and shown once.')}</p>
<div><button type="submit">${t(lang, '追加する', 'Add')}</button></div></form>
<h2>${t(lang, 'APIキー', 'API keys')}</h2>
<table><thead><tr><th scope="col">${t(lang, '名前', 'Name')}</th><th scope="col">${t(lang, '先頭', 'Prefix')}</th><th scope="col">${t(lang, '権限', 'Role')}</th><th scope="col">${t(lang, '最終利用', 'Last used')}</th><th scope="col">${t(lang, '状態', 'Status')}</th><th scope="col"><span class="muted">${t(lang, '操作', 'Action')}</span></th></tr></thead>
<tbody>${keys.map((k) => html`<tr><td>${k.name}</td><td><code>${k.prefix}</code></td><td>${roleLabels[k.role][lang]}</td><td>${k.lastUsedAt ? formatTime(k.lastUsedAt, lang) : '—'}</td><td>${k.revokedAt ? t(lang, '失効', 'Revoked') : t(lang, '有効', 'Active')}</td>
<td>${k.revokedAt ? '' : html`<form method="post" action="/console/staff/keys/${k.id}/revoke" style="margin:0">${csrfField(request)}<button type="submit" class="secondary" aria-label="${t(lang, `${k.name} を失効させる`, `Revoke ${k.name}`)}">${t(lang, '失効させる', 'Revoke')}</button></form>`}</td></tr>`)}</tbody></table>
<form method="post" action="/console/staff/keys" class="stack">${csrfField(request)}
<h3 style="margin-top:0">${t(lang, 'APIキーを作成', 'Create an API key')}</h3>
<div><label for="key-name">${t(lang, '名前（用途）', 'Name (what it is for)')}</label><input id="key-name" name="name" required maxlength="100"></div>
<div><label for="key-role">${t(lang, '権限', 'Role')}</label><select id="key-role" name="role">${roleOptions('staff')}</select></div>
<div><button type="submit">${t(lang, '作成する', 'Create')}</button></div></form>`;
    return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').header('content-security-policy', PAGE_CSP).send(renderConsolePage(request, { title: t(lang, 'スタッフとAPIキー', 'Staff and API keys'), body }));
  }

  /** Disable or enable, and reset the password; none on one's own row (it would end the admin's own session). */
  function userActions(request: FastifyRequest, lang: Lang, u: StaffUser): SafeHtml | string {
    if (u.id === request.staff?.id) return '';
    const button = (action: string, label: string, aria: string) =>
      html`<form method="post" action="/console/staff/users/${u.id}/${action}" style="margin:0 0 .25rem">${csrfField(request)}<button type="submit" class="secondary" aria-label="${aria}">${label}</button></form>`;
    return html`${u.disabled ? button('enable', t(lang, '有効にする', 'Enable'), t(lang, `${u.email} を有効にする`, `Enable ${u.email}`)) : button('disable', t(lang, '無効にする', 'Disable'), t(lang, `${u.email} を無効にする`, `Disable ${u.email}`))}
${button('reset-password', t(lang, 'パスワードを再設定', 'Reset password'), t(lang, `${u.email} のパスワードを再設定する（サインイン中のセッションは終了します）`, `Reset the password of ${u.email} (their open sessions end)`))}`;
  }

  const fields = (request: FastifyRequest) => z.record(z.string(), z.unknown()).catch({}).parse(request.body ?? {});
  const fail = (request: FastifyRequest, reply: FastifyReply, err: unknown) => {
    if (!isMamoriError(err)) throw err;
    const ja = consoleLang(request) === 'ja';
    return render(request, reply, err.status, { kind: 'error', text: `${ja ? '操作を完了できませんでした。' : 'The action could not be completed.'} ${err.message}`, code: err.code });
  };

  app.get('/console/staff', { preHandler: guard }, async (request, reply) => render(request, reply, 200));

  app.post('/console/staff/users', { preHandler: guard }, async (request, reply) => {
    const f = fields(request);
    const role = roleField.safeParse(f.role);
    try {
      if (!role.success || typeof f.email !== 'string') throw new MamoriError('MAMORI_STAFF_INVALID', 'Give an email and a role.');
      const password = generatePassword();
      const user = await createStaffUser(ctx.store.db, ctx.clock, { email: f.email, role: role.data, password, actor: actorOf(request) });
      const ja = consoleLang(request) === 'ja';
      return render(request, reply, 201, undefined, { label: ja ? `${user.email} の初期パスワード` : `Initial password for ${user.email}`, value: password });
    } catch (err) {
      return fail(request, reply, err);
    }
  });

  app.post('/console/staff/users/:id/disable', { preHandler: guard }, async (request, reply) => {
    const { id } = z.object({ id: z.string().min(1).max(80) }).parse(request.params);
    try {
      if (id === request.staff?.id) throw new MamoriError('MAMORI_STAFF_INVALID', 'You cannot disable your own account.');
      await disableStaffUser(ctx.store.db, ctx.clock, id, actorOf(request));
      return reply.redirect('/console/staff', 303);
    } catch (err) {
      return fail(request, reply, err);
    }
  });

  app.post('/console/staff/users/:id/enable', { preHandler: guard }, async (request, reply) => {
    const { id } = z.object({ id: z.string().min(1).max(80) }).parse(request.params);
    try {
      await enableStaffUser(ctx.store.db, ctx.clock, id, actorOf(request));
      return reply.redirect('/console/staff', 303);
    } catch (err) {
      return fail(request, reply, err);
    }
  });

  app.post('/console/staff/users/:id/reset-password', { preHandler: guard }, async (request, reply) => {
    const { id } = z.object({ id: z.string().min(1).max(80) }).parse(request.params);
    try {
      if (id === request.staff?.id) throw new MamoriError('MAMORI_STAFF_INVALID', 'You cannot reset your own password here; use `mamori user reset-password`.');
      const password = generatePassword();
      const { user } = await resetStaffPassword(ctx.store.db, ctx.clock, id, { password, actor: actorOf(request) });
      const ja = consoleLang(request) === 'ja';
      return render(request, reply, 200, { kind: 'ok', text: ja ? `${user.email} のパスワードを再設定し、サインイン中のセッションを終了しました。` : `The password of ${user.email} was reset and their open sessions ended.` }, { label: ja ? `${user.email} の新しいパスワード` : `New password for ${user.email}`, value: password });
    } catch (err) {
      return fail(request, reply, err);
    }
  });

  app.post('/console/staff/keys', { preHandler: requireStaff(ctx, 'apikeys.manage') }, async (request, reply) => {
    const f = fields(request);
    const role = roleField.safeParse(f.role);
    try {
      if (!role.success || typeof f.name !== 'string') throw new MamoriError('MAMORI_STAFF_INVALID', 'Give a name and a role.');
      const { key, info } = await createApiKey(ctx.store.db, ctx.clock, { name: f.name, role: role.data, actor: actorOf(request) });
      const ja = consoleLang(request) === 'ja';
      return render(request, reply, 201, undefined, { label: ja ? `APIキー「${info.name}」` : `API key "${info.name}"`, value: key });
    } catch (err) {
      return fail(request, reply, err);
    }
  });

  app.post('/console/staff/keys/:id/revoke', { preHandler: requireStaff(ctx, 'apikeys.manage') }, async (request, reply) => {
    const { id } = z.object({ id: z.string().min(1).max(80) }).parse(request.params);
    try {
      await revokeApiKey(ctx.store.db, ctx.clock, id, actorOf(request));
      return reply.redirect('/console/staff', 303);
    } catch (err) {
      return fail(request, reply, err);
    }
  });
};
