import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { MamoriError } from '../errors.ts';
import { localize } from '../policy/load-policy.ts';
import { html } from '../html/html.ts';
import { csrfField, renderConsolePage, staffActor } from './staff-auth.ts';
import { breachTriggerLabels } from '../law/appi/breach.ts';
import { breachReportFieldOrder, breachReportFields } from '../law/appi/breach-report-fields.ts';
import { createIncident, getIncidentView, listIncidents, markReportSubmitted, notifyAffectedPeople, publishAlternativeNotice, updateIncident, withDefaults, type IncidentView, type PersonNotice } from '../records/incidents.ts';
import { breachReportHtml } from '../records/breach-report-document.ts';
import { breachDeadlineLabels } from './request-labels.ts';
import { formOf, lines, jstInstant, jst, page, raise, type RecordsConsoleAccess } from './records-console-kit.ts';

/** Breach incidents (26条): list, detail, report fields and submission, notices to the persons. */
export function incidentConsolePages(app: FastifyInstance, ctx: AppContext, access: RecordsConsoleAccess): void {
  const { db, readDb, view, incidents, operator, allowed } = access;
  const deadlineCell = (v: IncidentView) =>
    v.deadlines
      ? html`速報 ${v.deadlines.preliminary.dueDate} <span class="${v.deadlines.preliminary.state === 'on_track' || v.deadlines.preliminary.state === 'submitted' ? 'ok' : 'warn'}">（${breachDeadlineLabels[v.deadlines.preliminary.state].ja}）</span><br>確報 ${v.deadlines.final.dueDate} <span class="${v.deadlines.final.state === 'on_track' || v.deadlines.final.state === 'submitted' ? 'ok' : 'warn'}">（${breachDeadlineLabels[v.deadlines.final.state].ja}）</span>`
      : '—';

  app.get('/console/incidents', { preHandler: view }, async (request, reply) => {
    const list = await listIncidents(readDb, ctx.clock.now());
    const body = html`
${list.length === 0 ? html`<p class="muted">記録された事案はありません。</p>` : html`<table><thead><tr><th>発覚</th><th>事案</th><th>報告対象</th><th>期限</th><th>状態</th></tr></thead><tbody>
${list.map((v) => html`<tr><td>${jst(v.discoveredAt)}</td><td><a href="/console/incidents/${v.id}">${v.title}</a></td><td>${v.reportability.reportable ? html`<strong class="warn">該当</strong>` : '非該当'}</td><td>${deadlineCell(v)}</td><td>${v.status === 'open' ? '対応中' : '完了'}</td></tr>`)}
</tbody></table>`}
${allowed(request, 'incidents.manage') ? html`<h2>事案の登録</h2>
<form method="post" action="/console/incidents" class="stack">${csrfField(request)}
<label for="title">件名</label><input id="title" name="title" required>
<label for="discoveredAt">発覚日時（日本時間）</label><input id="discoveredAt" name="discoveredAt" type="datetime-local" required>
<label for="occurredAt">発生日時（分かれば）</label><input id="occurredAt" name="occurredAt" type="datetime-local">
<label for="description">概要</label><textarea id="description" name="description" rows="4" required></textarea>
<label for="dataItems">項目（読点・改行区切り）</label><input id="dataItems" name="dataItems">
<label for="affectedCount">本人の数（未確定なら空欄）</label><input id="affectedCount" name="affectedCount" type="number" min="0">
${(['sensitiveData', 'financialHarmData', 'unauthorizedPurpose', 'skimming', 'advancedEncryption'] as const).map((name) => html`<label><input type="checkbox" name="${name}" value="1" style="width:auto"> ${{ sensitiveData: '要配慮個人情報を含む', financialHarmData: '財産的被害が生じるおそれがある情報（カード番号等）を含む', unauthorizedPurpose: '不正の目的によるおそれ（不正アクセス、持ち出し等）', skimming: '取得しようとしていた情報の窃取（フォームのスキミング等）', advancedEncryption: '高度な暗号化等の秘匿化がされている' }[name]}</label>`)}
<button type="submit">登録する</button></form>` : ''}`;
    return page(request, reply, '漏えい等事案', '/console/incidents', body);
  });

  const incidentForm = (f: (n: string) => string) => ({
    title: f('title'), discoveredAt: jstInstant(f('discoveredAt')), ...(f('occurredAt') ? { occurredAt: jstInstant(f('occurredAt')) } : {}), description: f('description'), dataItems: lines(f('dataItems')),
    affectedCount: f('affectedCount') === '' ? null : Number(f('affectedCount')), sensitiveData: f('sensitiveData') === '1', financialHarmData: f('financialHarmData') === '1',
    unauthorizedPurpose: f('unauthorizedPurpose') === '1', skimming: f('skimming') === '1', advancedEncryption: f('advancedEncryption') === '1',
  });

  app.post('/console/incidents', { preHandler: incidents }, async (request, reply) => {
    const inc = await createIncident(db, ctx.clock, staffActor(request.staff ?? raise()), incidentForm(formOf(request)));
    return reply.redirect(`/console/incidents/${inc.id}`, 303);
  });

  const idParams = z.strictObject({ id: z.string().min(1).max(100) });
  const idOf = (request: FastifyRequest) => {
    const p = idParams.safeParse(request.params);
    if (!p.success) throw new MamoriError('MAMORI_INCIDENT_NOT_FOUND');
    return p.data.id;
  };

  app.get('/console/incidents/:id', { preHandler: view }, async (request, reply) => {
    const v = await getIncidentView(db, idOf(request), ctx.clock.now());
    const values = withDefaults(v);
    const manageable = allowed(request, 'incidents.manage');
    const body = html`
<p><a href="/console/incidents/${v.id}/report">印刷用の報告書案を開く</a></p>
<div class="notice ${v.reportability.reportable ? 'error' : ''}">
<p><strong>${v.reportability.reportable ? '個人情報保護委員会への報告及び本人への通知が必要です。' : v.reportability.exemption ? '報告対象の事由に該当しますが、高度な暗号化等により報告対象外と判定されました。' : '現時点の情報では報告対象に該当しません。'}</strong></p>
${v.reportability.triggers.length > 0 ? html`<ul>${v.reportability.triggers.map((t) => html`<li>${breachTriggerLabels[t.trigger].ja}（${t.article}）</li>`)}</ul>` : ''}
${v.reportability.provisional ? html`<p class="warn">本人の数が未確定のため、報告対象として扱い、期限を起算しています（規則7条4号。漏えい等のおそれを含みます）。1,000人を超えないことが確かな場合は、その根拠を記録すると対象外と判定されます。</p>` : ''}
${v.reportability.countUnknown && v.reportability.thresholdRuledOutReason ? html`<p>本人の数は未確定ですが、1,000人を超えないと判断しています。根拠: ${v.reportability.thresholdRuledOutReason}</p>` : ''}
${v.deadlines ? html`<p>${deadlineCell(v)}</p>` : ''}
</div>
<p>本人への通知（26条2項）: ${personNoticeLine(v.personNotice)}</p>
<p>本人への通知: ${v.noticesSent}件送信済み${v.noticeSlug ? html` ／ 代替措置の公表ページ: <a href="/notices/${v.noticeSlug}">/notices/${v.noticeSlug}</a>` : ''}</p>
${manageable && v.reportability.countUnknown && !v.reportability.thresholdRuledOutReason ? html`
<h2>本人の数の基準（規則7条4号）</h2>
<form method="post" action="/console/incidents/${v.id}/threshold" class="stack">${csrfField(request)}
<label for="thresholdReason">1,000人を超えないと判断できる根拠（例: 対象のテーブルの総件数が300件）</label><textarea id="thresholdReason" name="reason" rows="2" required></textarea>
<button type="submit">基準に該当しないことを記録する</button></form>` : ''}
${manageable ? html`
<h2>報告事項（規則8条）</h2>
<form method="post" action="/console/incidents/${v.id}/fields" class="stack">${csrfField(request)}
${breachReportFieldOrder.map((f) => html`<label for="f_${f}">${breachReportFields[f].label.ja} <span class="muted">${breachReportFields[f].item}</span></label><textarea id="f_${f}" name="${f}" rows="3">${values[f] ?? ''}</textarea>`)}
<button type="submit">保存する</button></form>
<h2>報告の提出</h2>
${v.missing.final.length > 0 ? html`<p class="warn">確報に必要な未記入の事項: ${v.missing.final.map((f) => breachReportFields[f].label.ja).join('、')}</p>` : ''}
<form method="post" action="/console/incidents/${v.id}/submit" style="display:flex;gap:8px;flex-wrap:wrap">${csrfField(request)}
<button type="submit" name="stage" value="preliminary">速報を提出済みにする</button>
<button type="submit" name="stage" value="final">確報を提出済みにする</button></form>
<h2>本人への通知</h2>
<form method="post" action="/console/incidents/${v.id}/notify" class="stack">${csrfField(request)}
<label for="recipients">宛先のメールアドレス（1行に1つ。「メールアドレス,subject id」も可）</label><textarea id="recipients" name="recipients" rows="4" required></textarea>
<button type="submit">通知メールを送る</button></form>
<h2>対応状況</h2>
<form method="post" action="/console/incidents/${v.id}/status" style="display:flex;gap:8px">${csrfField(request)}
${v.status === 'open' ? html`<button type="submit" name="status" value="closed" class="secondary">対応を完了にする</button>` : html`<button type="submit" name="status" value="open" class="secondary">対応中に戻す</button>`}</form>
<h2>代替措置（公表ページ）</h2>
<form method="post" action="/console/incidents/${v.id}/notice-page" class="stack">${csrfField(request)}
<label for="slug">ページのアドレス（/notices/ に続く部分）</label><input id="slug" name="slug" value="${v.noticeSlug ?? ''}" pattern="[a-z0-9][a-z0-9-]{1,62}[a-z0-9]" required>
<label for="publicNoticeReason">本人への通知が困難な理由（26条2項ただし書）</label><textarea id="publicNoticeReason" name="publicNoticeReason" rows="2">${v.publicNoticeReason ?? ''}</textarea>
<button type="submit">公表する</button></form>` : ''}`;
    return page(request, reply, v.title, '/console/incidents', body);
  });

  app.get('/console/incidents/:id/report', { preHandler: view }, async (request, reply) => {
    const v = await getIncidentView(db, idOf(request), ctx.clock.now());
    return reply.type('text/html; charset=utf-8').send(renderConsolePage(request, { title: `報告書案: ${v.title}`, body: html`<p class="noprint"><a href="/console/incidents/${v.id}">← 事案に戻る</a></p>${breachReportHtml(v, operator())}` }));
  });

  app.post('/console/incidents/:id/fields', { preHandler: incidents }, async (request, reply) => {
    const id = idOf(request);
    const f = formOf(request);
    await updateIncident(db, ctx.clock, staffActor(request.staff ?? raise()), id, {}, Object.fromEntries(breachReportFieldOrder.map((k) => [k, f(k)])));
    return reply.redirect(`/console/incidents/${id}`, 303);
  });
  app.post('/console/incidents/:id/submit', { preHandler: incidents }, async (request, reply) => {
    const id = idOf(request);
    const stage = formOf(request)('stage');
    if (stage !== 'preliminary' && stage !== 'final') throw new MamoriError('MAMORI_INCIDENT_INVALID', 'Choose the preliminary or the final report.');
    await markReportSubmitted(db, ctx.clock, staffActor(request.staff ?? raise()), id, stage);
    return reply.redirect(`/console/incidents/${id}`, 303);
  });
  app.post('/console/incidents/:id/notify', { preHandler: incidents }, async (request, reply) => {
    const id = idOf(request);
    const recipients = formOf(request)('recipients').split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
      const [email, subjectId] = l.split(',').map((x) => x.trim());
      return { email: email ?? '', ...(subjectId ? { subjectId } : {}) };
    });
    const contactLine = ctx.policy.policy.operator.contacts.map((c) => localize(c.value, 'ja')).join(' / ');
    await notifyAffectedPeople(db, ctx.clock, staffActor(request.staff ?? raise()), id, recipients, { operatorName: operator(), contactLine });
    return reply.redirect(`/console/incidents/${id}`, 303);
  });
  app.post('/console/incidents/:id/status', { preHandler: incidents }, async (request, reply) => {
    const id = idOf(request);
    const status = formOf(request)('status');
    if (status !== 'open' && status !== 'closed') throw new MamoriError('MAMORI_INCIDENT_INVALID', 'The status must be open or closed.');
    await updateIncident(db, ctx.clock, staffActor(request.staff ?? raise()), id, { status });
    return reply.redirect(`/console/incidents/${id}`, 303);
  });
  app.post('/console/incidents/:id/threshold', { preHandler: incidents }, async (request, reply) => {
    const id = idOf(request);
    await updateIncident(db, ctx.clock, staffActor(request.staff ?? raise()), id, { thresholdRuledOutReason: formOf(request)('reason') });
    return reply.redirect(`/console/incidents/${id}`, 303);
  });
  app.post('/console/incidents/:id/notice-page', { preHandler: incidents }, async (request, reply) => {
    const id = idOf(request);
    const f = formOf(request);
    if (f('publicNoticeReason') !== '') await updateIncident(db, ctx.clock, staffActor(request.staff ?? raise()), id, { publicNoticeReason: f('publicNoticeReason') });
    await publishAlternativeNotice(db, ctx.clock, staffActor(request.staff ?? raise()), id, f('slug'));
    return reply.redirect(`/console/incidents/${id}`, 303);
  });
}

function personNoticeLine(n: PersonNotice): string {
  switch (n.status) {
    case 'not_required': return '現時点では不要です（報告対象に該当しません）。';
    case 'due': return `必要です。${n.dueBy}までを目安に、速やかに通知してください（法令上の期限は「速やかに」です）。`;
    case 'sent': return `${n.sent}件送信しました。`;
    case 'public_notice': return `本人への通知に代えて公表しました（${n.publishedAt.slice(0, 10)}）。${n.reason ? `理由: ${n.reason}` : '理由が記録されていません。'}`;
    default: {
      const never: never = n;
      return never;
    }
  }
}
