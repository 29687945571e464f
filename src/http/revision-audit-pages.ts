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
import { describeAuditProblemJa } from '../audit/audit-problem-words.ts';
import { auditActionLabel } from './audit-action-labels.ts';
import { fetchContactsFromHook, listRevisionNotices, sendRevisionNotices } from '../records/revision-notices.ts';
import { day, formOf, page, raise, tabTitle, when, type RecordsConsoleAccess } from './records-console-kit.ts';
import { t } from './console-page-parts.ts';

/** Notices of policy revisions and purpose changes, and the audit log for auditors. */
export function revisionAndAuditPages(app: FastifyInstance, ctx: AppContext, access: RecordsConsoleAccess): void {
  const { db, view, audit, publish, operator, allowed } = access;
  app.get('/console/revision-notices', { preHandler: view }, async (request, reply) => {
    const [notices, versions] = await Promise.all([listRevisionNotices(db), db.selectFrom('policy_versions').select(['id', 'number', 'effective_on', 'purpose_change']).orderBy('number', 'desc').limit(20).execute()]);
    const lang = consoleLang(request);
    const w = (ja: string, en: string) => t(lang, ja, en);
    const version = (v: { number: number; effective_on: string }) => w(`第${v.number}版（${day(v.effective_on, lang)}施行）`, `Version ${v.number} (in force from ${day(v.effective_on, lang)})`);
    const body = html`
${notices.length === 0 ? html`<p class="muted">${w('送信した通知はありません。', 'No notices sent.')}</p>` : html`<div class="table-scroll"><table><thead><tr><th>${w('日時', 'Sent')}</th><th>${w('種類', 'Kind')}</th><th>${w('件名', 'Subject')}</th><th>${w('宛先数', 'Recipients')}</th><th>${w('宛先の取得方法', 'Recipients from')}</th></tr></thead><tbody>
${notices.map((n) => html`<tr><td>${when(n.createdAt, lang)}</td><td>${n.kind === 'purpose_change' ? w('利用目的の変更', 'Change of purposes') : w('改定', 'Revision')}</td><td>${n.subject}</td><td>${n.recipientCount}</td><td>${n.audience === 'contact_hook' ? w('連絡先フック（サービスから取得）', 'Contact hook (asked from the service)') : w('入力したリスト', 'A list entered here')}</td></tr>`)}</tbody></table></div>`}
${allowed(request, 'policy.publish') ? html`<h2>${w('通知の送信', 'Send a notice')}</h2>
${versions.length === 0 ? html`<p class="muted">${w('公開済みの版がありません。先に次のコマンドで公開してください: ', 'No version is published yet. Publish one first with ')}<code>mamori publish</code></p>` : html`
<form method="post" action="/console/revision-notices" class="stack">${csrfField(request)}
${versions.filter((v) => !notices.some((n) => n.policyVersionId === v.id)).slice(0, 1).map((v) => html`<p class="notice">${w(`${version(v)}については、まだ通知を送っていません。`, `No notice has been sent yet for ${version(v)}.`)}${v.purpose_change ? html` <strong class="warn">${v.purpose_change === 'consent' ? w('利用目的が変更されています（同意を取得）。', 'The purposes changed (with consent).') : w('利用目的が変更されています（関連性のある範囲の変更）。', 'The purposes changed (within a related scope).')}</strong>` : ''}</p>`)}
<label for="version">${w('版', 'Version')}</label><select id="version" name="policyVersionId">${versions.map((v) => html`<option value="${v.id}">${version(v)}${v.purpose_change ? w(' ・利用目的の変更あり', ' · purposes changed') : ''}</option>`)}</select>
<label for="kind">${w('種類', 'Kind')}</label><select id="kind" name="kind"><option value="revision">${w('プライバシーポリシーの改定', 'Revision of the privacy policy')}</option><option value="purpose_change">${w('利用目的の変更', 'Change of purposes')}</option></select>
<label for="summary">${w('主な変更点', 'Main changes')}</label><textarea id="summary" name="summary" rows="4" required maxlength="5000"></textarea>
<label for="recipients">${w('宛先（1行に1つ。空欄なら連絡先フックから取得）', 'Recipients (one per line; empty: ask the contact hook)')}</label><textarea id="recipients" name="recipients" rows="4"></textarea>
<p class="muted">${w('通知メールは日本語で送信されます。', 'The notice mail is sent in Japanese.')}</p>
<button type="submit">${w('送信する', 'Send')}</button></form>`}` : ''}`;
    return page(request, reply, tabTitle('/console/revision-notices', lang), '/console/revision-notices', body);
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
    // Request events read as on the request's timeline; other domains' events by the audit label table.
    const auditActionCell = (action: string) => {
      const label = action.startsWith('request.') ? timelineActionLabels[action.slice('request.'.length)] : undefined;
      // The recorded name stays reachable (for the filter) as the cell's title, not as text to read.
      return html`<span title="${action}">${label ? label[lang] : auditActionLabel(action, lang)}</span>`;
    };
    const auditDataCell = (action: string, data: unknown) => {
      const record = data && typeof data === 'object' && !Array.isArray(data) ? Object.fromEntries(Object.entries(data)) : {};
      if (action.startsWith('request.')) return html`<small>${timelineDetails(record, lang, ctx.policy.policy, names)}</small>`;
      return html`<code style="font-size:12px;word-break:break-all">${JSON.stringify(data)}</code>`;
    };
    const last = events[events.length - 1];
    const w = (ja: string, en: string) => t(lang, ja, en);
    const body = html`
<div class="notice ${result.ok ? '' : 'error'}">${result.ok ? html`<p class="ok">${w(`改ざんは検出されませんでした（${result.count}件のイベントを検証）。`, `No tampering found (${result.count} events checked).`)}</p>` : html`<p class="warn"><strong>${w('改ざんを検出しました。', 'Tampering detected.')}</strong></p><ul>${result.problems.map((p) => html`<li>${lang === 'ja' ? describeAuditProblemJa(p) : describeAuditProblem(p)}</li>`)}</ul>`}</div>
<form method="get" action="/console/audit" style="display:flex;gap:8px;align-items:end;margin:12px 0"><div><label for="action">${w('操作で絞り込む（記録名の前方一致）', 'Filter by action (start of the recorded name)')}</label><input id="action" name="action" value="${opts.action ?? ''}" maxlength="100"></div><button type="submit">${w('表示', 'Show')}</button></form>
<div class="table-scroll"><table><caption class="muted" style="text-align:left">${w('新しい順（日時は日本時間）', 'Newest first (times in Japan time)')}</caption><thead><tr><th>#</th><th>${w('日時', 'Time')}</th><th>${w('実行者', 'Actor')}</th><th>${w('操作', 'Action')}</th><th>${w('対象', 'Target')}</th><th>${w('内容', 'Details')}</th></tr></thead><tbody>
${events.map((e) => html`<tr><td>${e.seq}</td><td>${when(e.at, lang)}</td><td>${actorLabel(e.actor, lang, names)}</td><td>${auditActionCell(e.action)}</td><td>${e.targetId ? html`<code>${e.targetId}</code>` : '—'}</td><td>${auditDataCell(e.action, e.data)}</td></tr>`)}
</tbody></table></div>
${last && last.seq > 1 ? html`<p><a href="/console/audit?before=${last.seq}${opts.action ? `&action=${encodeURIComponent(opts.action)}` : ''}">${w('さらに古いイベント', 'Older events')}</a></p>` : ''}`;
    return page(request, reply, tabTitle('/console/audit', lang), '/console/audit', body);
  });
}
