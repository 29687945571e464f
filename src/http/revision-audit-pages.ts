import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { z } from 'zod';
import { MamoriError } from '../errors.ts';
import { listAuditEvents, verifyAuditChain, describeAuditProblem } from '../audit/audit-log.ts';
import { html } from '../html/html.ts';
import { consoleLang, csrfField, staffActor } from './staff-auth.ts';
import { listStaffUsers } from '../staff/staff-users.ts';
import { actorLabel, timelineDetails } from './console-request-page.ts';
import { timelineActionLabels } from './request-labels.ts';
import { fetchContactsFromHook, listRevisionNotices, sendRevisionNotices } from '../records/revision-notices.ts';
import { formOf, jst, page, raise, type RecordsConsoleAccess } from './records-console-kit.ts';

/** Notices of policy revisions and purpose changes, and the audit log for auditors. */
export function revisionAndAuditPages(app: FastifyInstance, ctx: AppContext, access: RecordsConsoleAccess): void {
  const { db, view, audit, publish, operator, allowed } = access;
  app.get('/console/revision-notices', { preHandler: view }, async (request, reply) => {
    const [notices, versions] = await Promise.all([listRevisionNotices(db), db.selectFrom('policy_versions').select(['id', 'number', 'effective_on', 'purpose_change']).orderBy('number', 'desc').limit(20).execute()]);
    const body = html`
${notices.length === 0 ? html`<p class="muted">送信した通知はありません。</p>` : html`<table><thead><tr><th>日時</th><th>種類</th><th>件名</th><th>宛先数</th><th>方法</th></tr></thead><tbody>
${notices.map((n) => html`<tr><td>${jst(n.createdAt)}</td><td>${n.kind === 'purpose_change' ? '利用目的の変更' : '改定'}</td><td>${n.subject}</td><td>${n.recipientCount}</td><td>${n.audience === 'contact_hook' ? '連絡先フック' : 'リスト'}</td></tr>`)}</tbody></table>`}
${allowed(request, 'policy.publish') ? html`<h2>通知の送信</h2>
${versions.length === 0 ? html`<p class="muted">公開済みの版がありません。先に <code>mamori publish</code> で公開してください。</p>` : html`
<form method="post" action="/console/revision-notices" class="stack">${csrfField(request)}
${versions.filter((v) => !notices.some((n) => n.policyVersionId === v.id)).slice(0, 1).map((v) => html`<p class="notice">第${v.number}版（${v.effective_on}施行）については、まだ通知を送っていません。${v.purpose_change ? html` <strong class="warn">利用目的が変更されています（${v.purpose_change === 'consent' ? '同意を取得' : '関連性のある範囲の変更'}）。</strong>` : ''}</p>`)}
<label for="version">版</label><select id="version" name="policyVersionId">${versions.map((v) => html`<option value="${v.id}">第${v.number}版（${v.effective_on}施行）${v.purpose_change ? ' ・利用目的の変更あり' : ''}</option>`)}</select>
<label for="kind">種類</label><select id="kind" name="kind"><option value="revision">プライバシーポリシーの改定</option><option value="purpose_change">利用目的の変更</option></select>
<label for="summary">主な変更点</label><textarea id="summary" name="summary" rows="4" required></textarea>
<label for="recipients">宛先（1行に1つ。空欄なら連絡先フックから取得）</label><textarea id="recipients" name="recipients" rows="4"></textarea>
<button type="submit">送信する</button></form>`}` : ''}`;
    return page(request, reply, '改定・変更の通知', '/console/revision-notices', body);
  });
  app.post('/console/revision-notices', { preHandler: publish }, async (request, reply) => {
    const f = formOf(request);
    const recipients = f('recipients').split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
      const [email, subjectId] = l.split(',').map((x) => x.trim());
      return { email: email ?? '', ...(subjectId ? { subjectId } : {}) };
    });
    let list = recipients;
    let audience: 'list' | 'contact_hook' = 'list';
    if (list.length === 0) {
      const hook = z.object({ MAMORI_CONTACT_HOOK_URL: z.url(), MAMORI_CONTACT_HOOK_SECRET: z.string().optional() }).safeParse(process.env);
      if (!hook.success) throw new MamoriError('MAMORI_REVISION_NOTICE_INVALID', 'Enter recipients, or set MAMORI_CONTACT_HOOK_URL.');
      list = await fetchContactsFromHook(hook.data.MAMORI_CONTACT_HOOK_URL, hook.data.MAMORI_CONTACT_HOOK_SECRET);
      audience = 'contact_hook';
    }
    await sendRevisionNotices(db, ctx.clock, staffActor(request.staff ?? raise()), { policyVersionId: f('policyVersionId'), kind: f('kind'), audience, summary: f('summary'), recipients: list }, { operatorName: operator(), baseUrl: ctx.config.baseUrl });
    return reply.redirect('/console/revision-notices', 303);
  });

  // --- audit log (auditors, officers, admins)
  const auditQuery = z.object({ action: z.string().max(100).optional(), before: z.coerce.number().int().min(1).optional() });
  app.get('/console/audit', { preHandler: audit }, async (request, reply) => {
    const q = auditQuery.safeParse(request.query);
    const opts = q.success ? q.data : {};
    const [result, events, staff] = await Promise.all([verifyAuditChain(db), listAuditEvents(db, { limit: 100, ...(opts.action ? { actionPrefix: opts.action } : {}), ...(opts.before ? { beforeSeq: opts.before } : {}) }), listStaffUsers(db)]);
    const names = new Map(staff.map((u) => [u.id as string, u.email]));
    const lang = consoleLang(request);
    // Request events read as on the request's timeline; other domains' events keep their recorded form, as code.
    const auditActionCell = (action: string) => {
      const label = action.startsWith('request.') ? timelineActionLabels[action.slice('request.'.length)] : undefined;
      return label ? html`${label[lang]}` : html`<code>${action}</code>`;
    };
    const auditDataCell = (action: string, data: unknown) => {
      const record = data && typeof data === 'object' && !Array.isArray(data) ? Object.fromEntries(Object.entries(data)) : {};
      if (action.startsWith('request.')) return html`<small>${timelineDetails(record, lang, ctx.policy.policy, names)}</small>`;
      return html`<code style="font-size:12px;word-break:break-all">${JSON.stringify(data)}</code>`;
    };
    const last = events[events.length - 1];
    const body = html`
<div class="notice ${result.ok ? '' : 'error'}">${result.ok ? html`<p class="ok">改ざんは検出されませんでした（${result.count}件のイベントを検証）。</p>` : html`<p class="warn"><strong>改ざんを検出しました。</strong></p><ul>${result.problems.map((p) => html`<li>${describeAuditProblem(p)}</li>`)}</ul>`}</div>
<form method="get" action="/console/audit" style="display:flex;gap:8px;align-items:end;margin:12px 0"><div><label for="action">操作で絞り込む（前方一致）</label><input id="action" name="action" value="${opts.action ?? ''}"></div><button type="submit">表示</button></form>
<table><thead><tr><th>#</th><th>日時</th><th>実行者</th><th>操作</th><th>対象</th><th>内容</th></tr></thead><tbody>
${events.map((e) => html`<tr><td>${e.seq}</td><td>${jst(e.at)}</td><td>${actorLabel(e.actor, consoleLang(request), names)}</td><td>${auditActionCell(e.action)}</td><td>${e.targetId ? html`<code>${e.targetId}</code>` : '—'}</td><td>${auditDataCell(e.action, e.data)}</td></tr>`)}
</tbody></table>
${last && last.seq > 1 ? html`<p><a href="/console/audit?before=${last.seq}${opts.action ? `&action=${encodeURIComponent(opts.action)}` : ''}">さらに古いイベント</a></p>` : ''}`;
    return page(request, reply, '監査ログ', '/console/audit', body);
  });
}
