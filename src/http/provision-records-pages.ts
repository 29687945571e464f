import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { z } from 'zod';
import { MamoriError } from '../errors.ts';
import { html, type SafeHtml } from '../html/html.ts';
import type { Lang } from '../html/layout.ts';
import { consoleLang, csrfField, staffActor } from './staff-auth.ts';
import { provisionBasisLabels, provisionBases, recordForms, type ProvisionBasis } from '../law/appi/record-retention.ts';
import { articleName, filingStatusLabels, recordFormLabels } from './request-labels.ts';
import { t } from './console-page-parts.ts';
import { type OptOutFiling, createOptOutFiling, flagOptOutStop, listOptOutFilings, updateOptOutFiling } from '../records/optout-filings.ts';
import { listProvisions, listReceipts, listRelatedConfirmations, purgeExpiredRecords, recordProvision, recordReceipt } from '../records/provision-records.ts';
import { day, formOf, lines, page, raise, tabTitle, type RecordsConsoleAccess } from './records-console-kit.ts';

const receiptBases = ['consent', 'opt_out', 'entrustment', 'joint_use', 'succession', 'statutory_exception'] as const satisfies readonly ProvisionBasis[];

/** The forms of the records page for staff who manage records, in the console's language. */
function manageForms(request: FastifyRequest, lang: Lang, filings: OptOutFiling[]): SafeHtml {
  const w = (ja: string, en: string) => t(lang, ja, en);
  const art = (a: string) => articleName(a, lang);
  return html`
<h2>${w('提供記録の登録', 'Record a provision')}</h2>
<form method="post" action="/console/records/provisions" class="stack">${csrfField(request)}
<label for="basis">${w('根拠', 'Basis')}</label><select id="basis" name="basis">${provisionBases.map((b) => html`<option value="${b}">${provisionBasisLabels[b][lang]}${w(`（${provisionBasisLabels[b].article}）`, ` (${art(provisionBasisLabels[b].article)})`)}</option>`)}</select>
<label for="form">${w('記録の形式', 'Form of the record')}</label><select id="form" name="form">${recordForms.map((f) => html`<option value="${f}">${recordFormLabels[f][lang]}</option>`)}</select>
<label for="providedOn">${w('提供日', 'Provided on')}</label><input id="providedOn" name="providedOn" type="date" required>
<label for="recipientName">${w('提供先の名称', 'Recipient’s name')}</label><input id="recipientName" name="recipientName" required maxlength="200">
<label for="recipientAddress">${w('提供先の住所', 'Recipient’s address')}</label><input id="recipientAddress" name="recipientAddress" maxlength="500">
<label for="recipientRepresentative">${w('提供先の代表者', 'Recipient’s representative')}</label><input id="recipientRepresentative" name="recipientRepresentative" maxlength="200">
<label for="country">${w('外国の提供先の国コード（例: US）', 'Country code of a foreign recipient (e.g. US)')}</label><input id="country" name="country" maxlength="2">
<label for="subjects">${w('本人（mamori の本人ID、1行に1つ）', 'People (mamori subject ids, one per line)')}</label><textarea id="subjects" name="subjects" rows="3"></textarea>
<label for="subjectDescription">${w('本人の範囲（一括記録で個別に列挙しない場合）', 'Who the people are (for a batch record that does not list them)')}</label><input id="subjectDescription" name="subjectDescription">
<label for="dataItems">${w('提供した項目（読点・改行区切り）', 'Items provided (separated by commas or lines)')}</label><textarea id="dataItems" name="dataItems" rows="2" required></textarea>
<label for="consentProof">${w('同意の記録（同意レシートID、同意画面の版など）', 'Record of consent (consent receipt id, version of the consent screen …)')}</label><input id="consentProof" name="consentProof">
<label for="contractRef">${w('代替する契約書等', 'Contract used in place of a record')}</label><input id="contractRef" name="contractRef">
<label for="optOutFilingId">${w('オプトアウト届出ID', 'Opt-out filing id')}</label><input id="optOutFilingId" name="optOutFilingId">
<button type="submit">${w('記録する', 'Record')}</button></form>
<h2>${w('受領時の確認記録の登録（30条）', `Record a confirmation on receipt (${art('30条')})`)}</h2>
<form method="post" action="/console/records/receipts" class="stack">${csrfField(request)}
<label for="r_basis">${w('根拠', 'Basis')}</label><select id="r_basis" name="basis">${receiptBases.map((b) => html`<option value="${b}">${provisionBasisLabels[b][lang]}</option>`)}</select>
<label for="receivedOn">${w('受領日', 'Received on')}</label><input id="receivedOn" name="receivedOn" type="date" required>
<label for="providerName">${w('提供元の名称', 'Provider’s name')}</label><input id="providerName" name="providerName" required maxlength="200">
<label for="providerAddress">${w('提供元の住所', 'Provider’s address')}</label><input id="providerAddress" name="providerAddress" maxlength="500">
<label for="providerRepresentative">${w('提供元の代表者', 'Provider’s representative')}</label><input id="providerRepresentative" name="providerRepresentative" maxlength="200">
<label for="providerAcquisition">${w('提供元による取得の経緯', 'How the provider obtained the data')}</label><textarea id="providerAcquisition" name="providerAcquisition" rows="2" required></textarea>
<label><input type="checkbox" name="consentConfirmed" value="1" style="width:auto"> ${w('本人の同意があることを確認した', 'I confirmed that the people consented')}</label>
<label><input type="checkbox" name="optOutFilingConfirmed" value="1" style="width:auto"> ${w('提供元のオプトアウト届出が公表されていることを確認した', 'I confirmed that the provider’s opt-out filing is published')}</label>
<label for="r_subjects">${w('本人（mamori の本人ID、1行に1つ）', 'People (mamori subject ids, one per line)')}</label><textarea id="r_subjects" name="subjects" rows="2"></textarea>
<label for="r_subjectDescription">${w('本人の範囲（個別に列挙しない場合）', 'Who the people are (if not listed one by one)')}</label><input id="r_subjectDescription" name="subjectDescription">
<label for="r_dataItems">${w('受領した項目', 'Items received')}</label><textarea id="r_dataItems" name="dataItems" rows="2" required></textarea>
<button type="submit">${w('記録する', 'Record')}</button></form>
<h2>${w('オプトアウト届出の管理（27条2項）', `Opt-out filings (${art('27条2項')})`)}</h2>
<form method="post" action="/console/records/optout-filings" class="stack">${csrfField(request)}
<label for="o_title">${w('新しい届出の名称', 'Name of a new filing')}</label><input id="o_title" name="title" required maxlength="200">
<label for="o_items">${w('提供する項目', 'Items to provide')}</label><input id="o_items" name="dataItems" required>
<button type="submit">${w('下書きを作成する', 'Create a draft')}</button></form>
${filings.filter((f) => f.status !== 'withdrawn').map((f) => html`<form method="post" action="/console/records/optout-filings/${f.id}" style="display:flex;gap:8px;flex-wrap:wrap;align-items:end;margin-top:8px">${csrfField(request)}
<span>${f.title}</span><select name="status" aria-label="${w('状態', 'Status')}">${(['filed', 'published', 'withdrawn'] as const).map((s) => html`<option value="${s}">${filingStatusLabels[s][lang]}</option>`)}</select>
<input type="date" name="date" aria-label="${w('日付', 'Date')}" required style="width:auto"><label style="font-weight:normal"><input type="checkbox" name="self" value="1" style="width:auto"> ${w('自社でも公表した', 'We published it too')}</label><button type="submit" class="secondary">${w('更新', 'Update')}</button></form>`)}
<h2>${w('提供停止の求め', 'A request to stop provision')}</h2>
<form method="post" action="/console/records/optout-stops" class="stack">${csrfField(request)}
<label for="stopSubject">${w('本人（mamori の本人ID）', 'Person (mamori subject id)')}</label><input id="stopSubject" name="subjectId" required maxlength="200">
<button type="submit">${w('提供停止として登録する', 'Record the stop')}</button></form>
<form method="post" action="/console/records/purge" class="noprint" style="margin-top:24px">${csrfField(request)}<button type="submit" class="secondary">${w('保存期間を過ぎた記録を削除する', 'Delete records past their retention period')}</button></form>`;
}

/** Provision and receipt records (29条・30条), opt-out filings and the purge of expired records. */
export function provisionRecordPages(app: FastifyInstance, ctx: AppContext, access: RecordsConsoleAccess): void {
  const { db, readDb, view, manage, allowed } = access;
  app.get('/console/records', { preHandler: view }, async (request, reply) => {
    const [provisions, receipts, related, filings] = await Promise.all([listProvisions(readDb, { limit: 100 }), listReceipts(readDb, { limit: 100 }), listRelatedConfirmations(readDb, { limit: 100 }), listOptOutFilings(readDb)]);
    const lang = consoleLang(request);
    const w = (ja: string, en: string) => t(lang, ja, en);
    const art = (a: string) => articleName(a, lang);
    const none = html`<p class="muted">${w('記録はまだありません。', 'No records yet.')}</p>`;
    const items = (list: readonly string[]) => list.join(w('、', ', '));
    const country = (c: string | null | undefined) => (c ? ` (${c})` : '');
    const body = html`
<h2>${w('第三者提供記録（29条）', `Records of provision to third parties (${art('29条')})`)}</h2>
${provisions.length === 0 ? none : html`<div class="table-scroll"><table><thead><tr><th>${w('提供日', 'Provided on')}</th><th>${w('根拠', 'Basis')}</th><th>${w('形式', 'Form')}</th><th>${w('提供先', 'Recipient')}</th><th>${w('項目', 'Items')}</th><th>${w('本人数', 'People')}</th><th>${w('保存期限', 'Keep until')}</th></tr></thead><tbody>
${provisions.map((p) => html`<tr><td>${day(p.providedOn, lang)}${p.lastProvidedOn !== p.providedOn ? `${w('〜', ' – ')}${day(p.lastProvidedOn, lang)}` : ''}</td><td>${provisionBasisLabels[p.basis][lang]}${p.required ? '' : html` <span class="muted">${w('（記録義務なし）', '(no duty to record)')}</span>`}</td><td>${recordFormLabels[p.form][lang]}</td><td>${p.recipient.unspecified ? w('不特定又は多数の者', 'Unspecified or many recipients') : p.recipient.name}${country(p.recipient.country)}</td><td>${items(p.dataItems)}</td><td>${p.subjectCount}</td><td>${day(p.retainUntil, lang)}</td></tr>`)}
</tbody></table></div>`}
<h2>${w('受領時の確認記録（30条）', `Records of confirmation on receipt (${art('30条')})`)}</h2>
${receipts.length === 0 ? none : html`<div class="table-scroll"><table><thead><tr><th>${w('受領日', 'Received on')}</th><th>${w('提供元', 'Provider')}</th><th>${w('取得の経緯', 'How the provider obtained it')}</th><th>${w('項目', 'Items')}</th><th>${w('保存期限', 'Keep until')}</th></tr></thead><tbody>
${receipts.map((r) => html`<tr><td>${day(r.receivedOn, lang)}</td><td>${r.provider.name}</td><td>${r.providerAcquisition}</td><td>${items(r.dataItems)}</td><td>${day(r.retainUntil, lang)}</td></tr>`)}</tbody></table></div>`}
<h2>${w('個人関連情報の提供に係る確認記録（31条）', `Confirmations for person-related information (${art('31条')})`)}</h2>
${related.length === 0 ? none : html`<div class="table-scroll"><table><thead><tr><th>${w('確認日', 'Confirmed on')}</th><th>${w('提供先', 'Recipient')}</th><th>${w('同意の取得方法', 'How consent was obtained')}</th><th>${w('項目', 'Items')}</th></tr></thead><tbody>
${related.map((r) => html`<tr><td>${day(r.confirmedOn, lang)}</td><td>${r.recipient.name}${country(r.recipient.country)}</td><td>${r.consentMethod}</td><td>${items(r.dataItems)}</td></tr>`)}</tbody></table></div>`}
<h2>${w('オプトアウト届出（27条2項）', `Opt-out filings (${art('27条2項')})`)}</h2>
${filings.length === 0 ? html`<p class="muted">${w('届出はありません。', 'No filings.')}</p>` : html`<div class="table-scroll"><table><thead><tr><th>${w('名称', 'Name')}</th><th>${w('状態', 'Status')}</th><th>${w('届出日', 'Filed on')}</th><th>${w('委員会公表日', 'Published by the PPC')}</th><th>${w('自社公表日', 'Published by us')}</th></tr></thead><tbody>
${filings.map((f) => html`<tr><td>${f.title}</td><td>${filingStatusLabels[f.status][lang]}</td><td>${day(f.filedOn, lang)}</td><td>${day(f.ppcPublishedOn, lang)}</td><td>${f.selfPublishedOn ? day(f.selfPublishedOn, lang) : f.selfPublicationPending ? html`<span class="warn">${w('未公表（速やかに公表してください）', 'Not yet published: publish it promptly')}</span>` : '—'}</td></tr>`)}</tbody></table></div>`}
${allowed(request, 'records.manage') ? manageForms(request, lang, filings) : ''}`;
    return page(request, reply, tabTitle('/console/records', lang), '/console/records', body);
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
}
