import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { z } from 'zod';
import { MamoriError } from '../errors.ts';
import { html } from '../html/html.ts';
import { csrfField, staffActor } from './staff-auth.ts';
import { provisionBasisLabels, provisionBases, recordForms } from '../law/appi/record-retention.ts';
import { recordFormLabels } from './request-labels.ts';
import { createOptOutFiling, flagOptOutStop, listOptOutFilings, updateOptOutFiling } from '../records/optout-filings.ts';
import { listProvisions, listReceipts, listRelatedConfirmations, purgeExpiredRecords, recordProvision, recordReceipt } from '../records/provision-records.ts';
import { formOf, lines, page, raise, type RecordsConsoleAccess } from './records-console-kit.ts';

/** Provision and receipt records (29条・30条), opt-out filings and the purge of expired records. */
export function provisionRecordPages(app: FastifyInstance, ctx: AppContext, access: RecordsConsoleAccess): void {
  const { db, readDb, view, manage, allowed } = access;
  app.get('/console/records', { preHandler: view }, async (request, reply) => {
    const [provisions, receipts, related, filings] = await Promise.all([listProvisions(readDb, { limit: 100 }), listReceipts(readDb, { limit: 100 }), listRelatedConfirmations(readDb, { limit: 100 }), listOptOutFilings(readDb)]);
    const body = html`
<h2>第三者提供記録（29条）</h2>
${provisions.length === 0 ? html`<p class="muted">記録はまだありません。</p>` : html`<table><thead><tr><th>提供日</th><th>根拠</th><th>形式</th><th>提供先</th><th>項目</th><th>本人数</th><th>保存期限</th></tr></thead><tbody>
${provisions.map((p) => html`<tr><td>${p.providedOn}${p.lastProvidedOn !== p.providedOn ? `〜${p.lastProvidedOn}` : ''}</td><td>${provisionBasisLabels[p.basis].ja}${p.required ? '' : html` <span class="muted">（記録義務なし）</span>`}</td><td>${recordFormLabels[p.form].ja}</td><td>${p.recipient.unspecified ? '不特定又は多数の者' : p.recipient.name}${p.recipient.country ? ` (${p.recipient.country})` : ''}</td><td>${p.dataItems.join('、')}</td><td>${p.subjectCount}</td><td>${p.retainUntil}</td></tr>`)}
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
<label for="form">記録の形式</label><select id="form" name="form">${recordForms.map((f) => html`<option value="${f}">${recordFormLabels[f].ja}</option>`)}</select>
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
}
