import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { MamoriError } from '../errors.ts';
import { localize } from '../policy/load-policy.ts';
import { html } from '../html/html.ts';
import { consoleLang, csrfField, renderConsolePage, staffActor } from './staff-auth.ts';
import { breachTriggerLabels } from '../law/appi/breach.ts';
import { breachReportFieldOrder, breachReportFields } from '../law/appi/breach-report-fields.ts';
import { createIncident, getIncidentView, listIncidents, markReportSubmitted, notifyAffectedPeople, publishAlternativeNotice, updateIncident, withDefaults, type IncidentView, type PersonNotice } from '../records/incidents.ts';
import { breachReportHtml } from '../records/breach-report-document.ts';
import { articleName, breachDeadlineLabels } from './request-labels.ts';
import { t } from './console-page-parts.ts';
import type { Lang } from '../html/layout.ts';
import { day, formOf, lines, jstInstant, page, raise, tabTitle, when, type RecordsConsoleAccess } from './records-console-kit.ts';

/** Breach incidents (26条): list, detail, report fields and submission, notices to the persons. */
export function incidentConsolePages(app: FastifyInstance, ctx: AppContext, access: RecordsConsoleAccess): void {
  const { db, readDb, view, incidents, operator, allowed } = access;
  const deadlineCell = (v: IncidentView, lang: Lang) => {
    if (!v.deadlines) return '—';
    const one = (name: string, d: { dueDate: string; state: keyof typeof breachDeadlineLabels }) =>
      html`${name} ${day(d.dueDate, lang)} <span class="${d.state === 'on_track' || d.state === 'submitted' ? 'ok' : 'warn'}">${t(lang, `（${breachDeadlineLabels[d.state].ja}）`, `(${breachDeadlineLabels[d.state].en})`)}</span>`;
    return html`${one(t(lang, '速報', 'Preliminary report'), v.deadlines.preliminary)}<br>${one(t(lang, '確報', 'Final report'), v.deadlines.final)}`;
  };

  app.get('/console/incidents', { preHandler: view }, async (request, reply) => {
    const list = await listIncidents(readDb, ctx.clock.now());
    const lang = consoleLang(request);
    const w = (ja: string, en: string) => t(lang, ja, en);
    const checks: Record<'sensitiveData' | 'financialHarmData' | 'unauthorizedPurpose' | 'skimming' | 'advancedEncryption', { ja: string; en: string }> = {
      sensitiveData: { ja: '要配慮個人情報を含む', en: 'Includes sensitive personal information' },
      financialHarmData: { ja: '財産的被害が生じるおそれがある情報（カード番号等）を含む', en: 'Includes data whose misuse could cause financial damage (card numbers …)' },
      unauthorizedPurpose: { ja: '不正の目的によるおそれ（不正アクセス、持ち出し等）', en: 'May have been done for an unauthorized purpose (intrusion, data taken out …)' },
      skimming: { ja: '取得しようとしていた情報の窃取（フォームのスキミング等）', en: 'Theft of data we were about to obtain (form skimming …)' },
      advancedEncryption: { ja: '高度な暗号化等の秘匿化がされている', en: 'Protected by advanced encryption or similar' },
    };
    const body = html`
${list.length === 0 ? html`<p class="muted">${w('記録された事案はありません。', 'No incidents recorded.')}</p>` : html`<div class="table-scroll"><table><thead><tr><th>${w('発覚', 'Discovered')}</th><th>${w('事案', 'Incident')}</th><th>${w('報告対象', 'Reportable')}</th><th>${w('期限', 'Deadlines')}</th><th>${w('状態', 'Status')}</th></tr></thead><tbody>
${list.map((v) => html`<tr><td>${when(v.discoveredAt, lang)}</td><td><a href="/console/incidents/${v.id}">${v.title}</a></td><td>${v.reportability.reportable ? html`<strong class="warn">${w('該当', 'Yes')}</strong>` : w('非該当', 'No')}</td><td>${deadlineCell(v, lang)}</td><td>${v.status === 'open' ? w('対応中', 'Open') : w('完了', 'Closed')}</td></tr>`)}
</tbody></table></div>`}
${allowed(request, 'incidents.manage') ? html`<h2>${w('事案の登録', 'Record an incident')}</h2>
<form method="post" action="/console/incidents" class="stack">${csrfField(request)}
<label for="title">${w('件名', 'Title')}</label><input id="title" name="title" required maxlength="200">
<label for="discoveredAt">${w('発覚日時（日本時間）', 'Discovered at (Japan time)')}</label><input id="discoveredAt" name="discoveredAt" type="datetime-local" required>
<label for="occurredAt">${w('発生日時（分かれば、日本時間）', 'Occurred at (if known, Japan time)')}</label><input id="occurredAt" name="occurredAt" type="datetime-local">
<label for="description">${w('概要', 'Summary')}</label><textarea id="description" name="description" rows="4" required></textarea>
<label for="dataItems">${w('項目（読点・改行区切り）', 'Items (separated by commas or lines)')}</label><input id="dataItems" name="dataItems">
<label for="affectedCount">${w('本人の数（未確定なら空欄）', 'Number of people (leave empty if not yet known)')}</label><input id="affectedCount" name="affectedCount" type="number" min="0">
${(Object.keys(checks) as Array<keyof typeof checks>).map((name) => html`<label><input type="checkbox" name="${name}" value="1" style="width:auto"> ${checks[name][lang]}</label>`)}
<button type="submit">${w('登録する', 'Record')}</button></form>` : ''}`;
    return page(request, reply, tabTitle('/console/incidents', lang), '/console/incidents', body);
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
    const lang = consoleLang(request);
    const w = (ja: string, en: string) => t(lang, ja, en);
    const r = v.reportability;
    const verdict = r.reportable
      ? w('個人情報保護委員会への報告及び本人への通知が必要です。', 'This incident must be reported to the Personal Information Protection Commission (PPC), and the people concerned notified.')
      : r.exemption ? w('報告対象の事由に該当しますが、高度な暗号化等により報告対象外と判定されました。', 'A reportable condition applies, but the data was protected (advanced encryption or similar), so it is not reportable.')
      : w('現時点の情報では報告対象に該当しません。', 'On what is known now, the incident is not reportable.');
    const body = html`
<p><a href="/console/incidents/${v.id}/report">${w('印刷用の報告書案を開く', 'Open the printable draft report')}</a></p>
<div class="notice ${r.reportable ? 'error' : ''}">
<p><strong>${verdict}</strong></p>
${r.triggers.length > 0 ? html`<ul>${r.triggers.map((tr) => html`<li>${breachTriggerLabels[tr.trigger][lang]}${w(`（${tr.article}）`, ` (${ruleArticle(tr.article, lang)})`)}</li>`)}</ul>` : ''}
${r.provisional ? html`<p class="warn">${w('本人の数が未確定のため、報告対象として扱い、期限を起算しています（規則7条4号。漏えい等のおそれを含みます）。1,000人を超えないことが確かな場合は、その根拠を記録すると対象外と判定されます。', 'The number of people is not yet known, so the incident is treated as reportable and the deadlines run (PPC Rules Art. 7(4), which covers suspected leaks too). If it is certain that no more than 1,000 people are affected, record why and it is judged not reportable.')}</p>` : ''}
${r.countUnknown && r.thresholdRuledOutReason ? html`<p>${w('本人の数は未確定ですが、1,000人を超えないと判断しています。根拠: ', 'The number of people is not known, but it is judged to be no more than 1,000. Why: ')}${r.thresholdRuledOutReason}</p>` : ''}
${v.deadlines ? html`<p>${deadlineCell(v, lang)}</p>` : ''}
</div>
<p>${w('本人への通知（26条2項）: ', `Notice to the people concerned (${articleName('26条2項', lang)}): `)}${personNoticeLine(v.personNotice, lang)}</p>
<p>${w(`本人への通知: ${v.noticesSent}件送信済み`, `Notices sent: ${v.noticesSent}`)}${v.noticeSlug ? html`${w(' ／ 代替措置の公表ページ: ', ' / Public notice page: ')}<a href="/notices/${v.noticeSlug}">/notices/${v.noticeSlug}</a>` : ''}</p>
${manageable && r.countUnknown && !r.thresholdRuledOutReason ? html`
<h2>${w('本人の数の基準（規則7条4号）', 'The 1,000-people threshold (PPC Rules Art. 7(4))')}</h2>
<form method="post" action="/console/incidents/${v.id}/threshold" class="stack">${csrfField(request)}
<label for="thresholdReason">${w('1,000人を超えないと判断できる根拠（例: 対象のテーブルの総件数が300件）', 'Why no more than 1,000 people can be affected (e.g. the table holds 300 rows in all)')}</label><textarea id="thresholdReason" name="reason" rows="2" required></textarea>
<button type="submit">${w('基準に該当しないことを記録する', 'Record that the threshold is not reached')}</button></form>` : ''}
${manageable ? html`
<h2>${w('報告事項（規則8条）', 'Report items (PPC Rules Art. 8)')}</h2>
<form method="post" action="/console/incidents/${v.id}/fields" class="stack">${csrfField(request)}
${breachReportFieldOrder.map((f) => html`<label for="f_${f}">${breachReportFields[f].label[lang]} <span class="muted">${ruleArticle(breachReportFields[f].item, lang)}</span></label><textarea id="f_${f}" name="${f}" rows="3">${values[f] ?? ''}</textarea>`)}
<button type="submit">${w('保存する', 'Save')}</button></form>
<h2>${w('報告の提出', 'Submitting the reports')}</h2>
${v.missing.final.length > 0 ? html`<p class="warn">${w('確報に必要な未記入の事項: ', 'Items the final report still needs: ')}${v.missing.final.map((f) => breachReportFields[f].label[lang]).join(w('、', '; '))}</p>` : ''}
<form method="post" action="/console/incidents/${v.id}/submit" style="display:flex;gap:8px;flex-wrap:wrap">${csrfField(request)}
<button type="submit" name="stage" value="preliminary">${w('速報を提出済みにする', 'Mark the preliminary report submitted')}</button>
<button type="submit" name="stage" value="final">${w('確報を提出済みにする', 'Mark the final report submitted')}</button></form>
<h2>${w('本人への通知', 'Notice to the people concerned')}</h2>
<form method="post" action="/console/incidents/${v.id}/notify" class="stack">${csrfField(request)}
<label for="recipients">${w('宛先のメールアドレス（1行に1つ。「メールアドレス,本人ID」も可）', 'Email addresses (one per line; "email,subject id" also works)')}</label><textarea id="recipients" name="recipients" rows="4" required></textarea>
<p class="muted">${w('通知メールは日本語で送信されます。', 'The notice mail is sent in Japanese.')}</p>
<button type="submit">${w('通知メールを送る', 'Send the notice mail')}</button></form>
<h2>${w('対応状況', 'Status')}</h2>
<form method="post" action="/console/incidents/${v.id}/status" style="display:flex;gap:8px">${csrfField(request)}
${v.status === 'open' ? html`<button type="submit" name="status" value="closed" class="secondary">${w('対応を完了にする', 'Close the incident')}</button>` : html`<button type="submit" name="status" value="open" class="secondary">${w('対応中に戻す', 'Reopen the incident')}</button>`}</form>
<h2>${w('代替措置（公表ページ）', 'Public notice instead (a page)')}</h2>
<form method="post" action="/console/incidents/${v.id}/notice-page" class="stack">${csrfField(request)}
<label for="slug">${w('ページのアドレス（/notices/ に続く部分、半角英小文字・数字・ハイフン）', 'Page address (after /notices/: lowercase letters, digits and hyphens)')}</label><input id="slug" name="slug" value="${v.noticeSlug ?? ''}" pattern="[a-z0-9][a-z0-9-]{1,62}[a-z0-9]" required>
<label for="publicNoticeReason">${w('本人への通知が困難な理由（26条2項ただし書）', `Why the people cannot be notified (${articleName('26条2項ただし書', lang)})`)}</label><textarea id="publicNoticeReason" name="publicNoticeReason" rows="2">${v.publicNoticeReason ?? ''}</textarea>
<button type="submit">${w('公表する', 'Publish')}</button></form>` : ''}`;
    return page(request, reply, v.title, '/console/incidents', body);
  });

  app.get('/console/incidents/:id/report', { preHandler: view }, async (request, reply) => {
    const v = await getIncidentView(db, idOf(request), ctx.clock.now());
    const lang = consoleLang(request);
    // The draft goes to the PPC, which takes reports in Japanese: the document stays Japanese; the frame follows the console.
    const frame = html`<p class="noprint"><a href="/console/incidents/${v.id}">${t(lang, '← 事案に戻る', '← Back to the incident')}</a></p>${lang === 'en' ? html`<p class="notice noprint" lang="en">This draft is in Japanese, the language in which the report is submitted to the PPC.</p>` : ''}`;
    return reply.type('text/html; charset=utf-8').send(renderConsolePage(request, { title: t(lang, `報告書案: ${v.title}`, `Draft report: ${v.title}`), body: html`${frame}<div lang="ja">${breachReportHtml(v, operator())}</div>` }));
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

/** A PPC Rules citation (規則8条1項1号) or an Act's (26条2項) as staff read it in their language. */
function ruleArticle(article: string, lang: Lang): string {
  if (lang === 'ja') return article;
  return article.startsWith('規則') ? `PPC Rules ${articleName(article.slice(2), 'en')}` : articleName(article, 'en');
}

function personNoticeLine(n: PersonNotice, lang: Lang): string {
  switch (n.status) {
    case 'not_required': return t(lang, '現時点では不要です（報告対象に該当しません）。', 'Not needed at present (the incident is not reportable).');
    case 'due': return t(lang, `必要です。${day(n.dueBy, lang)}までを目安に、速やかに通知してください（法令上の期限は「速やかに」です）。`, `Needed. Notify them promptly, by ${day(n.dueBy, lang)} as a guide (the law says "promptly").`);
    case 'sent': return t(lang, `${n.sent}件送信しました。`, `${n.sent} sent.`);
    case 'public_notice': return t(lang, `本人への通知に代えて公表しました（${day(n.publishedAt, lang)}）。${n.reason ? `理由: ${n.reason}` : '理由が記録されていません。'}`, `Published instead of notifying each person (${day(n.publishedAt, lang)}). ${n.reason ? `Why: ${n.reason}` : 'No reason is recorded.'}`);
    default: {
      const never: never = n;
      return never;
    }
  }
}
