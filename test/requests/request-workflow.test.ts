import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { strFromU8, unzipSync } from 'fflate';
import { verifyAuditChain } from '../../src/audit/audit-log.ts';
import { DAY_MS } from '../../src/clock.ts';
import type { RequestHooks } from '../../src/requests/request-hooks.ts';
import { storeDialects } from '../support/stores.ts';
import { localize } from '../../src/policy/load-policy.ts';
import { codeFromMail, getJson, HOSTING_EXAMPLE, HOSTING_POLICY, MISSKEY_POLICY, PDF_BYTES, PNG_BYTES, postJson, startApp } from './request-test-kit.ts';

for (const dialect of storeDialects) {
  describe(`request workflow on ${dialect}`, () => {
    test('a disclosure with the ¥1,500 fee is paid, decided, delivered, and the downloaded package holds HTML, JSON and CSV', async () => {
      const app = await startApp(dialect, MISSKEY_POLICY);
      try {
        const email = 'hana@example.jp';
        const filed = await postJson(`${app.url}/api/v1/requests`, { kind: 'disclosure', email, account_id: 'hana', description: 'アカウントに関する情報をすべて', delivery: 'electronic', lang: 'ja' });
        assert.equal(filed.status, 201, JSON.stringify(filed.json));
        const id = String(filed.json.id);
        const token = String(filed.json.token);
        assert.equal(filed.json.state, 'awaiting_verification');

        const code = await codeFromMail(app, email);
        const verified = await postJson(`${app.url}/api/v1/requests/${id}/verify`, { code }, { 'x-request-token': token });
        assert.equal(verified.status, 200, JSON.stringify(verified.json));
        assert.equal(verified.json.state, 'awaiting_payment');
        assert.equal(verified.json.next, 'pay_fee');
        await app.drain();
        const payMail = await app.smtp.waitFor({ to: email, subject: /手数料/ });
        assert.match(payMail.text ?? '', /1,500円（消費税の課税対象外）/);
        assert.match(payMail.text ?? '', /銀行振込/);
        assert.match(payMail.text ?? '', new RegExp(`http://mamori.test/privacy-center/requests/${id}\\?token=`));

        await app.service.markPaid('staff:st_1', id, { method: 'bank_transfer', reference: 'FURIKOMI-0042', amount: 1500 });
        const status = await getJson(`${app.url}/api/v1/requests/${id}`, { 'x-request-token': token });
        assert.equal(status.json.state, 'in_progress');
        assert.deepEqual(status.json.fee, { amount: 1500, wording: { ja: '1,500円（消費税の課税対象外）', en: '¥1,500 (not subject to consumption tax) per request' }, paymentMethods: ['bank_transfer'], paid: true });

        await app.service.addGatheredData('staff:st_1', id, { source: 'manual', title: { ja: 'アカウント情報', en: 'Account' }, groups: [{ name: 'users', rows: [{ username: 'hana', email, note: 'comma, "quoted"' }] }] });
        await app.service.addGatheredFile('staff:st_1', id, { filename: 'export.png', bytes: PNG_BYTES });
        await app.service.decide('staff:st_1', id, { outcome: 'full' });
        await app.service.deliver('staff:st_1', id);
        await app.drain();
        const delivered = await app.smtp.waitFor({ to: email, subject: /開示内容のお届け/ });
        const link = /(http:\/\/mamori\.test\/api\/v1\/requests\/\S+)/.exec(delivered.text ?? '')?.[1];
        assert.ok(link, 'the delivered mail carries the download link');

        // The package is stored encrypted: no plaintext of the data in the table.
        const stored = await app.store.db.selectFrom('request_packages').select('sealed').where('request_id', '=', id).executeTakeFirstOrThrow();
        assert.ok(!Buffer.from(stored.sealed, 'base64').includes('hana@example.jp'));

        const res = await fetch(link.replace('http://mamori.test', app.url));
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'application/zip');
        const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
        assert.deepEqual(Object.keys(files).sort(), ['csv/01-manual-users.csv', 'data.json', 'files/export.png', 'index.html']);
        const json = JSON.parse(strFromU8(files['data.json']!)) as { request: { id: string }; sections: Array<{ groups: Array<{ rows: Array<Record<string, unknown>> }> }> };
        assert.equal(json.request.id, id);
        assert.equal(json.sections[0]?.groups[0]?.rows[0]?.username, 'hana');
        const csv = Buffer.from(files['csv/01-manual-users.csv']!);
        assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM so spreadsheets read Japanese');
        assert.equal(csv.subarray(3).toString('utf8'), 'username,email,note\r\nhana,hana@example.jp,"comma, ""quoted"""\r\n');
        const html = strFromU8(files['index.html']!);
        assert.match(html, /<html lang="ja">/);
        assert.match(html, /<td>hana@example.jp<\/td>/);
        assert.ok(Buffer.from(files['files/export.png']!).equals(PNG_BYTES));

        const after = await getJson(`${app.url}/api/v1/requests/${id}`, { 'x-request-token': token });
        assert.equal(after.json.state, 'delivered');
        assert.equal((after.json.delivery as { downloads: number }).downloads, 1);
        const downloads = await app.store.db.selectFrom('request_downloads').selectAll().where('request_id', '=', id).execute();
        assert.equal(downloads.length, 1);

        const view = await app.service.getForStaff('staff:st_1', id);
        assert.deepEqual(
          view.timeline.map((e) => e.action),
          ['filed', 'email_verified', 'state_changed', 'fee_paid', 'state_changed', 'data_gathered', 'file_gathered', 'decided', 'delivered', 'package_downloaded', 'viewed'],
        );
        assert.ok(view.audit.some((a) => a.action === 'request.viewed' && a.actor === 'staff:st_1'));
        await app.service.close('staff:st_1', id);
        assert.equal((await getJson(`${app.url}/api/v1/requests/${id}`, { 'x-request-token': token })).json.state, 'closed');
        assert.deepEqual((await verifyAuditChain(app.store.db)).problems, []);
      } finally {
        await app.close();
      }
    });

    test('a refusal names the statutory ground, carries the written reason, and says where to complain', async () => {
      const app = await startApp(dialect, HOSTING_POLICY);
      try {
        const email = 'ken@example.jp';
        const filed = await app.service.fileRequest({ kind: 'purpose_notice', email, description: '', lang: 'ja' }, { ip: '192.0.2.1' });
        await app.service.verifyRequest(filed.id, { code: await codeFromMail(app, email) }, { ip: '192.0.2.1' });
        await assert.rejects(app.service.decide('staff:o', filed.id, { outcome: 'refused', ground: 'serious_business_hindrance', reason: 'x' }), { code: 'MAMORI_REQUEST_GROUND_INVALID' });
        await assert.rejects(app.service.decide('staff:o', filed.id, { outcome: 'refused', ground: 'purpose_already_clear', reason: '  ' }), { code: 'MAMORI_REQUEST_REASON_REQUIRED' });
        await app.service.decide('staff:o', filed.id, { outcome: 'refused', ground: 'purpose_already_clear', reason: '利用目的はすべてプライバシーポリシー第2条に公表しております。' });
        await app.drain();
        const mail = await app.smtp.waitFor({ to: email, subject: /決定のお知らせ/ });
        assert.match(mail.text ?? '', /32条2項1号/);
        assert.match(mail.text ?? '', /プライバシーポリシー第2条/);
        assert.match(mail.text ?? '', /privacy@hosting\.example/);
        assert.match(mail.text ?? '', /テスト認定団体 個人情報保護苦情相談室（電話: 0120-000-000）/);
        const view = await app.service.getForRequester(filed.id, filed.token);
        assert.equal(view.state, 'notified');
        assert.equal(view.decision?.article, '32条2項1号');
      } finally {
        await app.close();
      }
    });

    test('a correction records what changed and hands the change to the other domains; a fee configured on it is refused by law', async () => {
      const decided: Array<{ outcome: string; corrections?: unknown }> = [];
      const hook: RequestHooks = { async onDecided(_req, decision) { decided.push(decision); } };
      const app = await startApp(dialect, HOSTING_POLICY, { hooks: [hook] });
      try {
        const email = 'aki@example.jp';
        const filed = await app.service.fileRequest({ kind: 'correction', email, description: '住所が古いままです', lang: 'en' }, { ip: '192.0.2.2' });
        const view = await app.service.verifyRequest(filed.id, { code: await codeFromMail(app, email) }, { ip: '192.0.2.2' });
        assert.equal(view.state, 'in_progress', 'no fee may be charged for a correction (38条)');
        assert.equal(view.fee, null);
        await assert.rejects(app.service.decide('staff:o', filed.id, { outcome: 'full' }), { code: 'MAMORI_REQUEST_DECISION_INVALID' });
        await app.service.decide('staff:o', filed.id, { outcome: 'full', corrections: [{ field: 'postal_address', before: 'Osaka 1-1', after: 'Kyoto 2-2' }] });
        assert.deepEqual(decided, [{ outcome: 'full', corrections: [{ field: 'postal_address', before: 'Osaka 1-1', after: 'Kyoto 2-2' }] }]);
        await app.drain();
        const mail = await app.smtp.waitFor({ to: email, subject: /Decision on your request/ });
        assert.match(mail.text ?? '', /postal_address: "Osaka 1-1" → "Kyoto 2-2"/);
        const staff = await app.service.getForStaff('staff:o', filed.id);
        assert.deepEqual(staff.decision?.corrections, [{ field: 'postal_address', before: 'Osaka 1-1', after: 'Kyoto 2-2' }]);
        assert.equal(staff.timeline.find((e) => e.action === 'filed')?.data.fee_refused_by_law, '38条');
      } finally {
        await app.close();
      }
    });

    test('closing waits while another domain reports open work, and work-started hooks see the verified identities', async () => {
      let blockers = ['manual erasure task in the mail system is open'];
      const started: Array<{ id: string; identities: Record<string, string> }> = [];
      const hook: RequestHooks = {
        async onWorkStarted(req) { started.push({ id: req.id, identities: req.identities }); },
        async blockersBeforeClose() { return blockers; },
      };
      const app = await startApp(dialect, HOSTING_POLICY, { hooks: [hook] });
      try {
        const email = 'close@example.jp';
        const filed = await app.service.fileRequest({ kind: 'suspension', email, accountId: 'acct-9', description: '', lang: 'ja' }, { ip: '192.0.2.6' });
        assert.deepEqual(started, []);
        await app.service.verifyRequest(filed.id, { code: await codeFromMail(app, email) }, { ip: '192.0.2.6' });
        // The typed account id is a claim: only the email the code verified reaches other domains.
        assert.deepEqual(started, [{ id: filed.id, identities: { email } }]);
        await app.service.decide('staff:o', filed.id, { outcome: 'full', measure: 'erased', measure_note: '全システムから削除' });
        await assert.rejects(app.service.close('staff:s', filed.id), (err: Error & { code?: string; details?: unknown }) => {
          assert.equal(err.code, 'MAMORI_REQUEST_CLOSE_BLOCKED');
          assert.deepEqual(err.details, { blockers: ['manual erasure task in the mail system is open'] });
          return true;
        });
        assert.equal((await app.service.getForRequester(filed.id, filed.token)).state, 'notified');
        blockers = [];
        await app.service.close('staff:s', filed.id);
        assert.equal((await app.service.getForRequester(filed.id, filed.token)).state, 'closed');
        await app.drain();
        const mail = await app.smtp.waitFor({ to: email, subject: /決定のお知らせ/ });
        assert.match(mail.text ?? '', /実施した措置: 消去（全システムから削除）/);
      } finally {
        await app.close();
      }
    });

    test('a suspension decided with an alternative measure records the measure and its description', async () => {
      const app = await startApp(dialect, HOSTING_POLICY);
      try {
        const email = 'mio@example.jp';
        const filed = await app.service.fileRequest({ kind: 'suspension', email, description: 'バックアップからも消してください', lang: 'ja' }, { ip: '192.0.2.3' });
        await app.service.verifyRequest(filed.id, { code: await codeFromMail(app, email) }, { ip: '192.0.2.3' });
        await assert.rejects(app.service.decide('staff:o', filed.id, { outcome: 'full' }), { code: 'MAMORI_REQUEST_DECISION_INVALID' });
        await assert.rejects(app.service.decide('staff:o', filed.id, { outcome: 'alternative', ground: 'no_violation_found', reason: 'r', alternative_measure: 'm' }), { code: 'MAMORI_REQUEST_GROUND_INVALID' });
        await app.service.decide('staff:o', filed.id, {
          outcome: 'alternative',
          ground: 'alternative_measure',
          reason: '法定保存期間中のバックアップから個別に消去するには多額の費用を要するためです。',
          alternative_measure: 'バックアップ内のデータは利用を停止し、保存期間の満了時に消去します。',
        });
        await app.drain();
        const mail = await app.smtp.waitFor({ to: email, subject: /決定のお知らせ/ });
        assert.match(mail.text ?? '', /代わりにとる措置: バックアップ内のデータは利用を停止し/);
        assert.match(mail.text ?? '', /35条2項・4項・6項ただし書/);
        const staff = await app.service.getForStaff('staff:o', filed.id);
        assert.equal(staff.decision?.outcome, 'alternative');
        assert.equal(staff.state, 'notified');
      } finally {
        await app.close();
      }
    });

    test('a postal request by a mandated agent with ¥5,500 on the hosting example is entered by staff with scans, paid, confirmed, and answered by letter', async () => {
      const app = await startApp(dialect, HOSTING_EXAMPLE);
      try {
        await assert.rejects(
          app.service.enterRequest('staff:s', { kind: 'disclosure', channel: 'postal_requests', description: '', lang: 'ja', agent: { kind: 'mandated', relationship: '弁護士', name: '代理 太郎' }, documents: [{ filename: 'form.pdf', bytes: PDF_BYTES, purpose: 'request_form' }] }),
          { code: 'MAMORI_REQUEST_AGENT_PROOF_MISSING' },
        );
        await assert.rejects(app.service.enterRequest('staff:s', { kind: 'disclosure', channel: 'nowhere', description: '', lang: 'ja', documents: [] }), { code: 'MAMORI_REQUEST_CHANNEL_INVALID' });
        const entered = await app.service.enterRequest('staff:s', {
          kind: 'disclosure',
          channel: 'postal_requests',
          description: '契約者情報の開示（郵送で受付）',
          lang: 'ja',
          agent: { kind: 'mandated', relationship: '弁護士', name: '代理 太郎' },
          documents: [
            { filename: 'request-form.pdf', bytes: PDF_BYTES, purpose: 'request_form' },
            { filename: 'license.png', bytes: PNG_BYTES, purpose: 'identity_document' },
            { filename: '委任状.pdf', bytes: PDF_BYTES, purpose: 'agent_proof', proofKind: 'power_of_attorney' },
            { filename: 'inkan.pdf', bytes: PDF_BYTES, purpose: 'agent_proof', proofKind: 'seal_certificate' },
          ],
        });
        const id = entered.id;
        let view = await app.service.getForStaff('staff:s', id);
        assert.equal(view.state, 'verified');
        assert.equal(view.delivery, 'paper', 'a postal request without email is answered on paper');
        assert.deepEqual(view.fee, { amount: 5500, paid: false });
        assert.equal(view.files.length, 4);
        const sealed = await app.store.db.selectFrom('request_files').select('sealed').where('request_id', '=', id).execute();
        assert.ok(sealed.every((f) => !Buffer.from(f.sealed, 'base64').includes('%PDF')), 'files are encrypted at rest');
        const proof = await app.service.readFile('staff:s', id, view.files.find((f) => f.proofKind === 'power_of_attorney')!.id);
        assert.ok(proof.bytes.equals(PDF_BYTES));
        assert.equal(proof.filename, '委任状.pdf');

        await app.service.markPaid('staff:s', id, { method: 'bank_transfer', reference: 'MIZUHO-7781', amount: 5500 });
        await app.service.confirmIdentity('staff:s', id, '運転免許証・委任状・印鑑証明書を確認');
        view = await app.service.getForStaff('staff:s', id);
        assert.equal(view.state, 'in_progress');
        assert.equal(view.deadline.status, 'running');
        assert.equal(view.deadline.dueAt, new Date(app.clock.now().getTime() + 14 * DAY_MS).toISOString(), 'the policy\'s 14 target days from identity confirmation');
        await app.service.addGatheredData('staff:s', id, { source: 'billing_db', title: { ja: '契約者情報', en: 'Contract holder' }, groups: [{ name: 'contracts', rows: [{ plan: 'スタンダード', since: '2024-01-01' }] }] });
        await app.service.decide('staff:o', id, { outcome: 'full' });
        assert.deepEqual(await app.service.deliver('staff:s', id).then((d) => d.format), 'letter');
        const letter = await app.service.letterHtml('staff:s', id);
        assert.match(letter, /<html lang="ja">/);
        assert.ok(letter.includes(localize(app.server.ctx.policy.policy.operator.name, 'ja')), 'the letter names the operator');
        assert.match(letter, /スタンダード/);
        assert.match(letter, /@media print/);
        const timeline = (await app.service.getForStaff('staff:s', id)).timeline.map((e) => `${e.actor} ${e.action}`);
        assert.ok(timeline.includes('staff:s entered'));
        assert.ok(timeline.includes('staff:s file_viewed'));
        assert.ok(timeline.includes('staff:s letter_viewed'));
        assert.equal(await app.store.db.selectFrom('mail_outbox').select('id').execute().then((r) => r.length), 0, 'no email, no mail');
      } finally {
        await app.close();
      }
    });

    test('no data held and a delivery method that is not possible are both notified under 33条3項', async () => {
      const app = await startApp(dialect, HOSTING_POLICY);
      try {
        const open = async (email: string, delivery: 'electronic' | 'paper') => {
          const filed = await app.service.fileRequest({ kind: 'disclosure', email, description: '', lang: 'ja', delivery }, { ip: '192.0.2.5' });
          await app.service.verifyRequest(filed.id, { code: await codeFromMail(app, email) }, { ip: '192.0.2.5' });
          await app.service.markPaid('staff:s', filed.id, { method: 'bank_transfer', reference: `R-${email}` });
          return filed;
        };
        const none = await open('nodata@example.jp', 'electronic');
        await assert.rejects(app.service.decide('staff:o', none.id, { outcome: 'full' }), { code: 'MAMORI_REQUEST_NOTHING_TO_DELIVER' });
        await app.service.decide('staff:o', none.id, { outcome: 'refused', ground: 'no_retained_data', reason: 'ご登録のメールアドレスに結び付く記録は、当社のいずれのシステムにもありませんでした。' });
        assert.equal((await app.service.getForRequester(none.id, none.token)).state, 'notified');
        await app.drain();
        const noneMail = await app.smtp.waitFor({ to: 'nodata@example.jp', subject: /決定のお知らせ/ });
        assert.match(noneMail.text ?? '', /33条3項（請求に係る保有個人データが存在しない場合）/);
        assert.match(await app.service.letterHtml('staff:s', none.id), /いずれのシステムにもありませんでした/);

        const paper = await open('method@example.jp', 'electronic');
        await app.service.addGatheredData('staff:s', paper.id, { source: 'archive', title: { ja: '紙の申込書', en: 'Paper application' }, groups: [{ name: 'forms', rows: [{ page: 1 }] }] });
        await app.service.decide('staff:o', paper.id, { outcome: 'full', method_change: { to: 'paper', reason: '申込書の原本が紙でのみ保管されているため' } });
        assert.deepEqual(await app.service.deliver('staff:s', paper.id).then((d) => d.format), 'letter');
        await app.drain();
        const decided = await app.smtp.waitFor({ to: 'method@example.jp', subject: /決定のお知らせ/ });
        assert.match(decided.text ?? '', /書面の交付により開示いたします（法33条3項）。理由: 申込書の原本が紙でのみ保管されているため/);
        await app.smtp.waitFor({ to: 'method@example.jp', subject: /開示内容のお届け/ });
        const view = await app.service.getForRequester(paper.id, paper.token);
        assert.equal(view.delivery?.format, 'letter');
      } finally {
        await app.close();
      }
    });

    test('with SMTP down the mail waits in the outbox and goes out when SMTP is back', async () => {
      const app = await startApp(dialect, MISSKEY_POLICY);
      try {
        await app.smtp.stop();
        const email = 'down@example.jp';
        const filed = await app.service.fileRequest({ kind: 'purpose_notice', email, description: '', lang: 'en' }, { ip: '192.0.2.9' });
        assert.deepEqual(await app.drain(), { sent: 0, failed: 1 });
        const row = await app.store.db.selectFrom('mail_outbox').selectAll().where('ref_id', '=', filed.id).executeTakeFirstOrThrow();
        assert.equal(row.sent_at, null);
        assert.equal(row.attempts, 1);
        await app.smtp.start();
        assert.deepEqual(await app.drain(), { sent: 0, failed: 0 }, 'the retry waits for its backoff');
        app.clock.advance(6000);
        assert.deepEqual(await app.drain(), { sent: 1, failed: 0 });
        const mail = await app.smtp.waitFor({ to: email, subject: /confirmation code/ });
        assert.match(mail.text ?? '', /valid for 10 minutes/);
      } finally {
        await app.close();
      }
    });

    test('the deadline starts at identity confirmation, pauses while documents are awaited, and resumes', async () => {
      const app = await startApp(dialect, MISSKEY_POLICY);
      try {
        const email = 'clock@example.jp';
        const filed = await app.service.fileRequest({ kind: 'correction', email, description: '', lang: 'ja' }, { ip: '192.0.2.4' });
        assert.equal((await app.service.getForRequester(filed.id, filed.token)).deadline.status, 'not_started');
        const start = app.clock.now().getTime();
        await app.service.verifyRequest(filed.id, { code: await codeFromMail(app, email) }, { ip: '192.0.2.4' });
        let v = await app.service.getForRequester(filed.id, filed.token);
        assert.equal(v.deadline.dueAt, new Date(start + 14 * DAY_MS).toISOString());
        app.clock.advance(2 * DAY_MS);
        await app.service.requestDocuments('staff:s', filed.id, '訂正後の内容を確認できる書類（住民票の写しなど）');
        await app.drain();
        await app.smtp.waitFor({ to: email, subject: /書類のご提出/ });
        v = await app.service.getForRequester(filed.id, filed.token);
        assert.equal(v.state, 'awaiting_documents');
        assert.equal(v.next, 'send_documents');
        assert.equal(v.deadline.status, 'paused');
        assert.equal(v.deadline.remainingDays, 12);
        app.clock.advance(5 * DAY_MS);
        await app.service.uploadDocuments(filed.id, filed.token, [{ filename: 'juminhyo.pdf', bytes: PDF_BYTES, purpose: 'other' }]);
        await app.service.confirmIdentity('staff:s', filed.id);
        v = await app.service.getForRequester(filed.id, filed.token);
        assert.equal(v.state, 'in_progress');
        assert.equal(v.deadline.dueAt, new Date(start + 19 * DAY_MS).toISOString(), 'five paused days are added');
        assert.equal((await app.service.list('staff:s', { overdue: 'true', limit: 50, offset: 0 })).total, 0);
        app.clock.advance(13 * DAY_MS);
        const overdue = await app.service.list('staff:s', { overdue: 'true', limit: 50, offset: 0 });
        assert.deepEqual(overdue.items.map((i) => [i.id, i.deadline.status]), [[filed.id, 'overdue']]);
        assert.equal((await app.service.list('staff:s', { kind: 'disclosure', limit: 50, offset: 0 })).total, 0);
        assert.equal((await app.service.list('staff:s', { state: 'in_progress', channel: 'privacy_center', limit: 50, offset: 0 })).total, 1);
      } finally {
        await app.close();
      }
    });
  });
}
