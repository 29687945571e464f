import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import type { AppContext } from '../context.ts';
import { MamoriError } from '../errors.ts';
import { listAuditEvents, verifyAuditChain, describeAuditProblem } from '../audit/audit-log.ts';
import { localize } from '../policy/load-policy.ts';
import { html, type SafeHtml } from '../html/html.ts';
import { pickLang, renderPage } from '../html/layout.ts';
import { can, csrfField, renderConsolePage, requireStaff, staffActor } from './staff-auth.ts';
import { provisionBasisLabels, provisionBases, recordForms } from '../law/appi/record-retention.ts';
import { breachTriggerLabels } from '../law/appi/breach.ts';
import { breachReportFieldOrder, breachReportFields } from '../law/appi/breach-report-fields.ts';
import { createOptOutFiling, flagOptOutStop, listOptOutFilings, updateOptOutFiling } from '../records/optout-filings.ts';
import { listProvisions, listReceipts, listRelatedConfirmations, purgeExpiredRecords, recordProvision, recordReceipt } from '../records/provision-records.ts';
import { createIncident, findPublishedNotice, getIncidentView, listIncidents, markReportSubmitted, notifyAffectedPeople, publishAlternativeNotice, updateIncident, withDefaults, type IncidentView } from '../records/incidents.ts';
import { breachReportHtml } from '../records/breach-report-document.ts';
import { computeStatistics, outcomes, statisticsCsv, type Cell } from '../records/statistics.ts';
import { anonymizationJobSchema, anonymizeCsv, listAnonymizationJobs, recordAnonymizationJob } from '../records/anonymization-job.ts';
import { fetchContactsFromHook, listRevisionNotices, sendRevisionNotices } from '../records/revision-notices.ts';

const formBody = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

/** Reads a urlencoded console form (outside data) into string fields. */
function formOf(request: FastifyRequest): (name: string) => string {
  const parsed = formBody.safeParse(request.body ?? {});
  if (!parsed.success) throw new MamoriError('MAMORI_BAD_REQUEST', 'The form could not be read.');
  return (name) => {
    const v = parsed.data[name];
    return (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
  };
}

const lines = (s: string) => s.split(/[\n,、]/).map((x) => x.trim()).filter(Boolean);
/** A datetime-local value is Japan time. */
const jstInstant = (s: string) => (s === '' ? undefined : /[zZ]|[+-]\d\d:\d\d$/.test(s) ? s : `${s.length === 16 ? `${s}:00` : s}+09:00`);

function jst(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(new Date(iso).getTime() + 9 * 3600_000).toISOString();
  return `${d.slice(0, 10)} ${d.slice(11, 16)}`;
}

function tabs(active: string): SafeHtml {
  const items: Array<[string, string]> = [
    ['/console/records', '提供・受領記録'],
    ['/console/incidents', '漏えい等事案'],
    ['/console/statistics', '統計'],
    ['/console/anonymization', '匿名加工情報'],
    ['/console/revision-notices', '改定・変更の通知'],
    ['/console/audit', '監査ログ'],
  ];
  return html`<nav aria-label="記録" class="noprint" style="display:flex;gap:12px;flex-wrap:wrap;margin-bottom:16px">${items.map(([href, label]) => (href === active ? html`<strong aria-current="page">${label}</strong>` : html`<a href="${href}">${label}</a>`))}</nav>`;
}

function page(request: FastifyRequest, reply: FastifyReply, title: string, active: string, body: SafeHtml): FastifyReply {
  return reply.type('text/html; charset=utf-8').send(renderConsolePage(request, { title, body: html`${tabs(active)}<h1>${title}</h1>${body}` }));
}

const cell = (c: Cell, k: number) => (c === null ? html`<span class="muted" title="${k}人未満のため非表示">&lt;${k}</span>` : String(c));

/** A horizontal bar chart as inline SVG (no script), with the numbers as text for screen readers and print. */
export function barChart(title: string, bars: Array<{ label: string; value: number | null }>, unit = ''): SafeHtml {
  const max = Math.max(1, ...bars.map((b) => b.value ?? 0));
  const rowH = 26;
  const width = 560;
  const labelW = 170;
  const h = bars.length * rowH + 8;
  const rows = bars
    .map((b, i) => {
      const y = i * rowH + 4;
      const w = b.value === null ? 0 : Math.round(((width - labelW - 70) * b.value) / max);
      const text = b.value === null ? '非表示' : `${b.value}${unit}`;
      return html`<text x="0" y="${y + 16}" font-size="13">${b.label}</text><rect x="${labelW}" y="${y + 3}" width="${w}" height="16" fill="${b.value === null ? '#c9ced8' : '#1f5fbf'}"></rect><text x="${labelW + w + 6}" y="${y + 16}" font-size="13">${text}</text>`;
    });
  return html`<figure><svg role="img" aria-label="${title}" viewBox="0 0 ${width} ${h}" width="100%" style="max-width:${width}px">${rows}</svg><figcaption class="muted">${title}</figcaption></figure>`;
}

/** Console pages of the records domain and the two public pages (43条3項 item list, alternative incident notices). */
export async function recordsConsolePages(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const db = ctx.store.db;
  const view = requireStaff(ctx, 'records.view');
  const manage = requireStaff(ctx, 'records.manage');
  const incidents = requireStaff(ctx, 'incidents.manage');
  const audit = requireStaff(ctx, 'audit.view');
  const publish = requireStaff(ctx, 'policy.publish');
  const operator = () => localize(ctx.policy.policy.operator.name, 'ja');
  const allowed = (request: FastifyRequest, p: Parameters<typeof can>[1]) => !!request.staff && can(request.staff.role, p);

  // --- provision and receipt records
  app.get('/console/records', { preHandler: view }, async (request, reply) => {
    const [provisions, receipts, related, filings] = await Promise.all([listProvisions(db, { limit: 100 }), listReceipts(db, { limit: 100 }), listRelatedConfirmations(db, { limit: 100 }), listOptOutFilings(db)]);
    const body = html`
<h2>第三者提供記録（29条）</h2>
${provisions.length === 0 ? html`<p class="muted">記録はまだありません。</p>` : html`<table><thead><tr><th>提供日</th><th>根拠</th><th>形式</th><th>提供先</th><th>項目</th><th>本人数</th><th>保存期限</th></tr></thead><tbody>
${provisions.map((p) => html`<tr><td>${p.providedOn}${p.lastProvidedOn !== p.providedOn ? `〜${p.lastProvidedOn}` : ''}</td><td>${provisionBasisLabels[p.basis].ja}${p.required ? '' : html` <span class="muted">（記録義務なし）</span>`}</td><td>${p.form}</td><td>${p.recipient.unspecified ? '不特定又は多数の者' : p.recipient.name}${p.recipient.country ? ` (${p.recipient.country})` : ''}</td><td>${p.dataItems.join('、')}</td><td>${p.subjectCount}</td><td>${p.retainUntil}</td></tr>`)}
</tbody></table>`}
<h2>受領時の確認記録（30条）</h2>
${receipts.length === 0 ? html`<p class="muted">記録はまだありません。</p>` : html`<table><thead><tr><th>受領日</th><th>提供元</th><th>取得の経緯</th><th>項目</th><th>保存期限</th></tr></thead><tbody>
${receipts.map((r) => html`<tr><td>${r.receivedOn}</td><td>${r.provider.name}</td><td>${r.providerAcquisition}</td><td>${r.dataItems.join('、')}</td><td>${r.retainUntil}</td></tr>`)}</tbody></table>`}
<h2>個人関連情報の提供に係る確認記録（31条）</h2>
${related.length === 0 ? html`<p class="muted">記録はまだありません。</p>` : html`<table><thead><tr><th>確認日</th><th>提供先</th><th>同意の取得方法</th><th>項目</th></tr></thead><tbody>
${related.map((r) => html`<tr><td>${r.confirmedOn}</td><td>${r.recipient.name}${r.recipient.country ? ` (${r.recipient.country})` : ''}</td><td>${r.consentMethod}</td><td>${r.dataItems.join('、')}</td></tr>`)}</tbody></table>`}
<h2>オプトアウト届出（27条2項）</h2>
${filings.length === 0 ? html`<p class="muted">届出はありません。</p>` : html`<table><thead><tr><th>名称</th><th>状態</th><th>届出日</th><th>委員会公表日</th><th>自社公表日</th></tr></thead><tbody>
${filings.map((f) => html`<tr><td>${f.title}</td><td>${f.status}</td><td>${f.filedOn ?? '—'}</td><td>${f.ppcPublishedOn ?? '—'}</td><td>${f.selfPublishedOn ?? (f.selfPublicationPending ? html`<span class="warn">未公表（速やかに公表してください）</span>` : '—')}</td></tr>`)}</tbody></table>`}
${allowed(request, 'records.manage') ? html`
<h2>提供記録の登録</h2>
<form method="post" action="/console/records/provisions" class="stack">${csrfField(request)}
<label for="basis">根拠</label><select id="basis" name="basis">${provisionBases.map((b) => html`<option value="${b}">${provisionBasisLabels[b].ja}（${provisionBasisLabels[b].article}）</option>`)}</select>
<label for="form">記録の形式</label><select id="form" name="form">${recordForms.map((f) => html`<option value="${f}">${{ single: '個別', batch: '一括（継続的・反復的な提供）', contract_substitute: '契約書等による代替' }[f]}</option>`)}</select>
<label for="providedOn">提供日</label><input id="providedOn" name="providedOn" type="date" required>
<label for="recipientName">提供先の名称</label><input id="recipientName" name="recipientName" required>
<label for="recipientAddress">提供先の住所</label><input id="recipientAddress" name="recipientAddress">
<label for="recipientRepresentative">提供先の代表者</label><input id="recipientRepresentative" name="recipientRepresentative">
<label for="country">外国の提供先の国コード（例: US）</label><input id="country" name="country" maxlength="2">
<label for="subjects">本人（subject id、1行に1つ）</label><textarea id="subjects" name="subjects" rows="3"></textarea>
<label for="subjectDescription">本人の範囲（一括記録で個別に列挙しない場合）</label><input id="subjectDescription" name="subjectDescription">
<label for="dataItems">提供した項目（読点・改行区切り）</label><textarea id="dataItems" name="dataItems" rows="2" required></textarea>
<label for="consentProof">同意の記録（同意レシートID、同意画面の版など）</label><input id="consentProof" name="consentProof">
<label for="contractRef">代替する契約書等</label><input id="contractRef" name="contractRef">
<label for="optOutFilingId">オプトアウト届出ID</label><input id="optOutFilingId" name="optOutFilingId">
<button type="submit">記録する</button></form>
<h2>受領時の確認記録の登録（30条）</h2>
<form method="post" action="/console/records/receipts" class="stack">${csrfField(request)}
<label for="r_basis">根拠</label><select id="r_basis" name="basis"><option value="consent">本人の同意</option><option value="opt_out">オプトアウトによる提供</option><option value="entrustment">委託</option><option value="joint_use">共同利用</option><option value="succession">事業の承継</option><option value="statutory_exception">法令上の例外</option></select>
<label for="receivedOn">受領日</label><input id="receivedOn" name="receivedOn" type="date" required>
<label for="providerName">提供元の名称</label><input id="providerName" name="providerName" required>
<label for="providerAddress">提供元の住所</label><input id="providerAddress" name="providerAddress">
<label for="providerRepresentative">提供元の代表者</label><input id="providerRepresentative" name="providerRepresentative">
<label for="providerAcquisition">提供元による取得の経緯</label><textarea id="providerAcquisition" name="providerAcquisition" rows="2" required></textarea>
<label><input type="checkbox" name="consentConfirmed" value="1" style="width:auto"> 本人の同意があることを確認した</label>
<label><input type="checkbox" name="optOutFilingConfirmed" value="1" style="width:auto"> 提供元のオプトアウト届出が公表されていることを確認した</label>
<label for="r_subjects">本人（subject id、1行に1つ）</label><textarea id="r_subjects" name="subjects" rows="2"></textarea>
<label for="r_subjectDescription">本人の範囲（個別に列挙しない場合）</label><input id="r_subjectDescription" name="subjectDescription">
<label for="r_dataItems">受領した項目</label><textarea id="r_dataItems" name="dataItems" rows="2" required></textarea>
<button type="submit">記録する</button></form>
<h2>オプトアウト届出の管理（27条2項）</h2>
<form method="post" action="/console/records/optout-filings" class="stack">${csrfField(request)}
<label for="o_title">新しい届出の名称</label><input id="o_title" name="title" required>
<label for="o_items">提供する項目</label><input id="o_items" name="dataItems" required>
<button type="submit">下書きを作成する</button></form>
${filings.filter((f) => f.status !== 'withdrawn').map((f) => html`<form method="post" action="/console/records/optout-filings/${f.id}" style="display:flex;gap:8px;flex-wrap:wrap;align-items:end;margin-top:8px">${csrfField(request)}
<span>${f.title}</span><select name="status" aria-label="状態"><option value="filed">届出済み</option><option value="published">委員会が公表</option><option value="withdrawn">提供終了</option></select>
<input type="date" name="date" aria-label="日付" required style="width:auto"><label style="font-weight:normal"><input type="checkbox" name="self" value="1" style="width:auto"> 自社でも公表した</label><button type="submit" class="secondary">更新</button></form>`)}
<h2>提供停止の求め</h2>
<form method="post" action="/console/records/optout-stops" class="stack">${csrfField(request)}
<label for="stopSubject">本人（subject id）</label><input id="stopSubject" name="subjectId" required>
<button type="submit">提供停止として登録する</button></form>
<form method="post" action="/console/records/purge" class="noprint" style="margin-top:24px">${csrfField(request)}<button type="submit" class="secondary">保存期間を過ぎた記録を削除する</button></form>` : ''}`;
    return page(request, reply, '提供・受領記録', '/console/records', body);
  });

  app.post('/console/records/provisions', { preHandler: manage }, async (request, reply) => {
    const f = formOf(request);
    const opt = (s: string) => (s === '' ? undefined : s);
    await recordProvision(db, ctx.clock, staffActor(request.staff ?? raise()), {
      basis: f('basis'), form: f('form') || 'single', providedOn: f('providedOn'),
      recipient: { name: f('recipientName'), address: opt(f('recipientAddress')), representative: opt(f('recipientRepresentative')), country: opt(f('country').toUpperCase()) },
      subjects: lines(f('subjects')), subjectDescription: opt(f('subjectDescription')), dataItems: lines(f('dataItems')),
      consentProof: opt(f('consentProof')), contractRef: opt(f('contractRef')), optOutFilingId: opt(f('optOutFilingId')),
    }, 'console');
    return reply.redirect('/console/records', 303);
  });

  app.post('/console/records/receipts', { preHandler: manage }, async (request, reply) => {
    const f = formOf(request);
    const opt = (v: string) => (v === '' ? undefined : v);
    await recordReceipt(db, ctx.clock, staffActor(request.staff ?? raise()), {
      basis: f('basis'), receivedOn: f('receivedOn'), provider: { name: f('providerName'), address: opt(f('providerAddress')), representative: opt(f('providerRepresentative')) },
      providerAcquisition: f('providerAcquisition'), consentConfirmed: f('consentConfirmed') === '1', optOutFilingConfirmed: f('optOutFilingConfirmed') === '1',
      subjects: lines(f('subjects')), subjectDescription: opt(f('subjectDescription')), dataItems: lines(f('dataItems')),
    }, 'console');
    return reply.redirect('/console/records', 303);
  });
  app.post('/console/records/optout-filings', { preHandler: manage }, async (request, reply) => {
    const f = formOf(request);
    await createOptOutFiling(db, ctx.clock, staffActor(request.staff ?? raise()), { title: f('title'), dataItems: lines(f('dataItems')) });
    return reply.redirect('/console/records', 303);
  });
  app.post('/console/records/optout-filings/:id', { preHandler: manage }, async (request, reply) => {
    const p = z.object({ id: z.string().min(1).max(100) }).safeParse(request.params);
    if (!p.success) throw new MamoriError('MAMORI_RECORD_NOT_FOUND');
    const f = formOf(request);
    const status = f('status');
    const date = f('date');
    const update = status === 'filed' ? { status, filedOn: date } : status === 'published' ? { status, ppcPublishedOn: date, ...(f('self') === '1' ? { selfPublishedOn: date } : {}) } : { status };
    await updateOptOutFiling(db, ctx.clock, staffActor(request.staff ?? raise()), p.data.id, update);
    return reply.redirect('/console/records', 303);
  });
  app.post('/console/records/optout-stops', { preHandler: manage }, async (request, reply) => {
    const subjectId = formOf(request)('subjectId');
    if (subjectId === '' || subjectId.length > 200) throw new MamoriError('MAMORI_RECORD_INVALID', 'Enter the subject id.');
    await flagOptOutStop(db, ctx.clock, staffActor(request.staff ?? raise()), { subjectId, source: 'staff' });
    return reply.redirect('/console/records', 303);
  });

  app.post('/console/records/purge', { preHandler: manage }, async (request, reply) => {
    await purgeExpiredRecords(db, ctx.clock, staffActor(request.staff ?? raise()));
    return reply.redirect('/console/records', 303);
  });

  // --- incidents
  const deadlineCell = (v: IncidentView) =>
    v.deadlines
      ? html`速報 ${v.deadlines.preliminary.dueDate} <span class="${v.deadlines.preliminary.state === 'on_track' || v.deadlines.preliminary.state === 'submitted' ? 'ok' : 'warn'}">(${v.deadlines.preliminary.state})</span><br>確報 ${v.deadlines.final.dueDate} <span class="${v.deadlines.final.state === 'on_track' || v.deadlines.final.state === 'submitted' ? 'ok' : 'warn'}">(${v.deadlines.final.state})</span>`
      : '—';

  app.get('/console/incidents', { preHandler: view }, async (request, reply) => {
    const list = await listIncidents(db, ctx.clock.now());
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
${v.reportability.countUnknown ? html`<p class="warn">本人の数が未確定です。1,000人を超える場合は報告対象になります。</p>` : ''}
${v.deadlines ? html`<p>${deadlineCell(v)}</p>` : ''}
</div>
<p>本人への通知: ${v.noticesSent}件送信済み${v.noticeSlug ? html` ／ 代替措置の公表ページ: <a href="/notices/${v.noticeSlug}">/notices/${v.noticeSlug}</a>` : ''}</p>
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
  app.post('/console/incidents/:id/notice-page', { preHandler: incidents }, async (request, reply) => {
    const id = idOf(request);
    await publishAlternativeNotice(db, ctx.clock, staffActor(request.staff ?? raise()), id, formOf(request)('slug'));
    return reply.redirect(`/console/incidents/${id}`, 303);
  });

  // --- statistics
  const statsQuery = z.object({ k: z.coerce.number().int().min(2).max(1000).optional() });
  app.get('/console/statistics', { preHandler: view }, async (request, reply) => {
    const q = statsQuery.safeParse(request.query);
    const s = await computeStatistics(db, q.success && q.data.k ? { k: q.data.k } : {});
    const body = html`
<p class="muted">${s.k}人未満の集計値は、個人が特定されないよう非表示（&lt;${s.k}）にしています。<a href="/console/statistics.csv?k=${s.k}">CSVで書き出す</a></p>
<h2>本人からの請求</h2>
${!s.sources.requests ? html`<p class="muted">請求のデータはまだありません。</p>` : s.requests.length === 0 ? html`<p class="muted">請求はまだありません。</p>` : html`
${barChart('種類別の請求件数', s.requests.map((r) => ({ label: r.kind, value: r.total })), '件')}
${barChart('完了までの日数（中央値）', s.requests.map((r) => ({ label: r.kind, value: r.medianDaysToClose })), '日')}
<table><thead><tr><th>種類</th><th>件数</th>${outcomes.map((o) => html`<th>${o}</th>`)}<th>中央値（日）</th><th>平均（日）</th></tr></thead><tbody>
${s.requests.map((r) => html`<tr><td>${r.kind}</td><td>${cell(r.total, s.k)}</td>${outcomes.map((o) => html`<td>${cell(r.outcomes[o], s.k)}</td>`)}<td>${r.medianDaysToClose ?? cell(null, s.k)}</td><td>${r.meanDaysToClose ?? cell(null, s.k)}</td></tr>`)}
</tbody></table>`}
<h2>利用目的ごとの同意率</h2>
${s.consent.length === 0 ? html`<p class="muted">同意のデータはまだありません。</p>` : html`${barChart('同意率（%）', s.consent.map((c) => ({ label: c.purpose, value: c.rate })), '%')}
<table><thead><tr><th>目的</th><th>人数</th><th>同意</th><th>同意率</th></tr></thead><tbody>${s.consent.map((c) => html`<tr><td>${c.purpose}</td><td>${cell(c.subjects, s.k)}</td><td>${cell(c.allowed, s.k)}</td><td>${c.rate === null ? cell(null, s.k) : `${c.rate}%`}</td></tr>`)}</tbody></table>`}
<h2>第三者提供</h2>
${s.provisions.length === 0 ? html`<p class="muted">提供記録はありません。</p>` : html`${barChart('根拠別の提供先への本人数', s.provisions.map((p) => ({ label: p.basis, value: p.people })), '人')}<table><thead><tr><th>根拠</th><th>記録数</th><th>本人数</th></tr></thead><tbody>${s.provisions.map((p) => html`<tr><td>${p.basis}</td><td>${p.records}</td><td>${cell(p.people, s.k)}</td></tr>`)}</tbody></table>`}
<p>漏えい等事案: ${s.incidents.total}件</p>`;
    return page(request, reply, '統計', '/console/statistics', body);
  });
  app.get('/console/statistics.csv', { preHandler: view }, async (request, reply) => {
    const q = statsQuery.safeParse(request.query);
    const s = await computeStatistics(db, q.success && q.data.k ? { k: q.data.k } : {});
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="mamori-statistics.csv"').send(statisticsCsv(s));
  });

  // --- anonymization jobs
  app.get('/console/anonymization', { preHandler: view }, async (request, reply) => {
    const jobs = await listAnonymizationJobs(db);
    const body = html`
<p>作成した匿名加工情報に含まれる項目は <a href="/privacy/anonymized">/privacy/anonymized</a> で公表されます（43条3項）。</p>
${jobs.length === 0 ? html`<p class="muted">ジョブはまだありません。</p>` : html`<table><thead><tr><th>作成日時</th><th>名称</th><th>k</th><th>入力</th><th>出力</th><th>秘匿</th><th>項目</th></tr></thead><tbody>
${jobs.map((j) => html`<tr><td>${jst(j.createdAt)}</td><td>${j.name}</td><td>${j.k}</td><td>${j.inputRows}</td><td>${j.outputRows}</td><td>${j.suppressedRows}</td><td>${j.items.map((i) => i.label.ja).join('、')}</td></tr>`)}</tbody></table>`}
${allowed(request, 'records.manage') ? html`<h2>ジョブの実行</h2>
<form method="post" action="/console/anonymization" class="stack">${csrfField(request)}
<label for="config">ジョブ設定（YAML）</label><textarea id="config" name="config" rows="10" required placeholder="name: 年代別利用状況&#10;dataset: members.csv&#10;k: 5&#10;columns:&#10;  - { name: email, role: identifier }"></textarea>
<label for="csv">入力データ（CSV、1行目は見出し）</label><textarea id="csv" name="csv" rows="8" required></textarea>
<label for="recipient">提供先（提供する場合）</label><input id="recipient" name="recipient">
<button type="submit">加工してCSVをダウンロード</button></form>
<p class="muted">大きなデータは <code>mamori records anonymize --input data.csv --config job.yaml --out anon.csv</code> で処理できます。</p>` : ''}`;
    return page(request, reply, '匿名加工情報', '/console/anonymization', body);
  });
  app.post('/console/anonymization', { preHandler: manage }, async (request, reply) => {
    const f = formOf(request);
    let config: unknown;
    try {
      config = parseYaml(f('config'));
    } catch {
      throw new MamoriError('MAMORI_ANONYMIZATION_CONFIG_INVALID', 'The job configuration is not valid YAML.');
    }
    const result = anonymizeCsv(f('csv'), config);
    const parsed = anonymizationJobSchema.parse(config);
    await recordAnonymizationJob(db, ctx.clock, staffActor(request.staff ?? raise()), { config: parsed, result, ...(f('recipient') ? { recipient: { name: f('recipient') } } : {}) });
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="anonymized.csv"').send(result.csv);
  });

  // --- revision notices
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
    const [result, events] = await Promise.all([verifyAuditChain(db), listAuditEvents(db, { limit: 100, ...(opts.action ? { actionPrefix: opts.action } : {}), ...(opts.before ? { beforeSeq: opts.before } : {}) })]);
    const last = events[events.length - 1];
    const body = html`
<div class="notice ${result.ok ? '' : 'error'}">${result.ok ? html`<p class="ok">改ざんは検出されませんでした（${result.count}件のイベントを検証）。</p>` : html`<p class="warn"><strong>改ざんを検出しました。</strong></p><ul>${result.problems.map((p) => html`<li>${describeAuditProblem(p)}</li>`)}</ul>`}</div>
<form method="get" action="/console/audit" style="display:flex;gap:8px;align-items:end;margin:12px 0"><div><label for="action">操作で絞り込む（前方一致）</label><input id="action" name="action" value="${opts.action ?? ''}"></div><button type="submit">表示</button></form>
<table><thead><tr><th>#</th><th>日時</th><th>実行者</th><th>操作</th><th>対象</th><th>内容</th></tr></thead><tbody>
${events.map((e) => html`<tr><td>${e.seq}</td><td>${jst(e.at)}</td><td>${e.actor}</td><td>${e.action}</td><td>${e.targetType}${e.targetId ? `:${e.targetId}` : ''}</td><td><code style="font-size:12px;word-break:break-all">${JSON.stringify(e.data)}</code></td></tr>`)}
</tbody></table>
${last && last.seq > 1 ? html`<p><a href="/console/audit?before=${last.seq}${opts.action ? `&action=${encodeURIComponent(opts.action)}` : ''}">さらに古いイベント</a></p>` : ''}`;
    return page(request, reply, '監査ログ', '/console/audit', body);
  });

  // --- public: 43条3項 item list and alternative notices
  app.get('/privacy/anonymized', async (request, reply) => {
    const lang = pickLang(request.query, request.headers['accept-language']);
    const jobs = await listAnonymizationJobs(db, { publishedOnly: true });
    const service = localize(ctx.policy.policy.service.name, lang);
    const title = lang === 'ja' ? '匿名加工情報に関する公表事項' : 'Anonymized information we have created';
    const body = html`<h1>${title}</h1>
<p>${lang === 'ja' ? `${operator()}は、個人情報の保護に関する法律第43条第3項に基づき、作成した匿名加工情報に含まれる個人に関する情報の項目を次のとおり公表します。` : `Under Article 43(3) APPI, ${localize(ctx.policy.policy.operator.name, 'en')} publishes the items of personal information contained in the anonymized information it has created.`}</p>
${jobs.length === 0 ? html`<p>${lang === 'ja' ? '現在、公表の対象となる匿名加工情報はありません。' : 'There is currently no anonymized information to publish.'}</p>` : html`<table><thead><tr><th>${lang === 'ja' ? '作成日' : 'Created'}</th><th>${lang === 'ja' ? '名称' : 'Name'}</th><th>${lang === 'ja' ? '含まれる項目' : 'Items'}</th></tr></thead><tbody>
${jobs.map((j) => html`<tr><td>${jst(j.publishedAt ?? j.createdAt).slice(0, 10)}</td><td>${j.name}</td><td>${j.items.map((i) => i.label[lang]).join(lang === 'ja' ? '、' : ', ')}</td></tr>`)}</tbody></table>`}`;
    return reply.type('text/html; charset=utf-8').send(renderPage({ lang, title, body, brand: service }));
  });

  app.get('/notices/:slug', async (request, reply) => {
    const p = z.object({ slug: z.string().max(64) }).safeParse(request.params);
    const inc = p.success ? await findPublishedNotice(db, p.data.slug) : null;
    if (!inc) throw new MamoriError('MAMORI_NOTICE_NOT_FOUND');
    const values = withDefaults(inc);
    const service = localize(ctx.policy.policy.service.name, 'ja');
    const contacts = ctx.policy.policy.operator.contacts.map((c) => localize(c.value, 'ja'));
    const body = html`<h1>個人情報の漏えい等に関するお知らせ</h1>
<p class="muted">${jst(inc.noticePublishedAt).slice(0, 10)} ${operator()}</p>
<p>このたび、当社が取り扱う個人データについて、漏えい等の事態が発生したこと（又はそのおそれがあること）が判明いたしました。関係する皆様に多大なご心配とご迷惑をおかけしますことを、深くお詫び申し上げます。ご本人への個別の連絡が困難な方がいらっしゃるため、本ページにてお知らせいたします。</p>
${breachReportFieldOrder.filter((f) => breachReportFields[f].inIndividualNotice && (values[f] ?? '').trim() !== '').map((f) => html`<h2>${breachReportFields[f].label.ja}</h2><p style="white-space:pre-wrap">${values[f] ?? ''}</p>`)}
<h2>お問い合わせ窓口</h2><ul>${contacts.map((c) => html`<li>${c}</li>`)}</ul>`;
    return reply.type('text/html; charset=utf-8').send(renderPage({ lang: 'ja', title: `個人情報の漏えい等に関するお知らせ | ${service}`, body, brand: service }));
  });
}

function raise(): never {
  throw new MamoriError('MAMORI_AUTH_REQUIRED');
}
