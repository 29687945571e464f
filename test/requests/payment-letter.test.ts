import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '../../src/clock.ts';
import { createStaffUser } from '../../src/staff/staff-users.ts';
import { requestServiceFor } from '../../src/requests/request-service.ts';
import { storeDialects } from '../support/stores.ts';
import { consoleCsrf, signIn, startTestServer, type CookieJar, type TestServer } from '../staff/console-helpers.ts';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const STAFF = { email: 'desk@example.jp', password: 'desk password long enough' };

for (const dialect of storeDialects) {
  describe(`a postal request without email gets its fee instructions by letter (hosting example, ${dialect})`, () => {
    // 01:35 on 1 December in Japan, still 30 November in UTC.
    const clock = createManualClock('2026-11-30T16:35:00Z');
    let server: TestServer;
    let jar: CookieJar;
    let csrf: string;

    before(async () => {
      server = await startTestServer(dialect, { policy: 'examples/hosting/policy.yaml', clock });
      await createStaffUser(server.ctx.store.db, clock, { email: STAFF.email, role: 'staff', password: STAFF.password, actor: 'cli' });
      jar = (await signIn(server.url, STAFF.email, STAFF.password)).jar;
      csrf = await consoleCsrf(server.url, jar);
    });
    after(() => server?.stop());

    const page = async (path: string) => (await fetch(`${server.url}${path}`, { headers: { cookie: jar.header(), accept: 'text/html', 'accept-language': 'ja' } })).text();
    const printLetter = (id: string, fields: Record<string, string>) =>
      fetch(`${server.url}/console/requests/${id}/payment-letter`, { method: 'POST', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', 'accept-language': 'ja' }, body: new URLSearchParams({ _csrf: csrf, ...fields }) });

    test('staff print a dated, addressed letter with the amount, the bank account in katakana, the payment page, the 8-digit reference and the deadline; the timeline records it', async () => {
      const service = requestServiceFor(server.ctx);
      const { id } = await service.enterRequest(`staff:desk`, { kind: 'disclosure', channel: 'postal_requests', description: '契約者情報の開示（郵送で回答希望）', lang: 'ja', delivery: 'paper', documents: [{ filename: 'form.pdf', bytes: PDF, purpose: 'request_form' }, { filename: 'id.pdf', bytes: PDF, purpose: 'identity_document' }] });
      await service.confirmIdentity('staff:desk', id, '運転免許証の写しで確認');
      const row = await server.ctx.store.db.selectFrom('requests').select(['state', 'payment_code', 'email']).where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.state, 'awaiting_payment');
      assert.equal(row.email, null);
      assert.match(row.payment_code ?? '', /^\d{8}$/);
      assert.equal((await server.ctx.store.db.selectFrom('mail_outbox').select('id').where('topic', 'like', 'request.%').execute()).length, 0, 'no mail can reach this requester');

      const before = await page(`/console/requests/${id}`);
      assert.match(before, /手数料のご案内（書面）を印刷する/);
      assert.match(before, /メールアドレスがないため、お支払いのご案内は届いていません/);

      const res = await printLetter(id, { addressee_name: '山田 花子', addressee_address: '〒530-0001\n大阪府大阪市北区梅田一丁目1番1号' });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const letter = await res.text();
      assert.match(letter, /2026年12月1日（令和8年12月1日）/, 'dated on the Japan day, with the era');
      assert.match(letter, /〒530-0001<br>大阪府大阪市北区梅田一丁目1番1号/);
      assert.match(letter, /山田 花子 様/);
      assert.match(letter, /株式会社/);
      assert.match(letter, /〒542-0081 大阪府大阪市中央区南船場四丁目10番5号/, 'the operator’s address');
      assert.match(letter, /手数料のお支払いについてのご案内/);
      assert.match(letter, /金額: 5,500円（税込）/);
      assert.match(letter, /なにわ中央銀行 船場支店（店番号456）/);
      assert.match(letter, /普通預金 7654321/);
      assert.match(letter, /口座名義: アズポケット（カ/);
      assert.match(letter, /https:\/\/pay\.azpocket\.example\/privacy-fee/);
      assert.match(letter, new RegExp(`お支払い番号: ${row.payment_code}`));
      assert.match(letter, new RegExp(`振込依頼人名: お名前の前にお支払い番号「${row.payment_code}」`));
      assert.match(letter, /お支払い期限: 2026年12月31日まで/);
      assert.match(letter, /お支払い期限は2026年12月31日（日本時間）です/);
      assert.doesNotMatch(letter, /\d{4}-\d{2}-\d{2}/, 'no ISO date anywhere');
      assert.doesNotMatch(letter, /メールでお知らせ/, 'a letter does not promise mail');
      assert.equal(letter.match(/<h1>/g)?.length, 1);

      const events = await server.ctx.store.db.selectFrom('request_events').select(['action', 'data']).where('request_id', '=', id).where('action', '=', 'payment_letter_issued').execute();
      assert.equal(events.length, 1);
      assert.doesNotMatch(events[0]!.data, /山田|梅田/, 'the addressee is printed, never stored');
      const after = await page(`/console/requests/${id}`);
      assert.match(after, /手数料のご案内（書面）の発行/);
      assert.match(after, /お支払い期限/);
    });

    test('no letter once nothing is due: a request that is not waiting for the fee answers with the request page and a conflict', async () => {
      const service = requestServiceFor(server.ctx);
      const { id } = await service.enterRequest('staff:desk', { kind: 'disclosure', channel: 'postal_requests', description: '開示', lang: 'ja', delivery: 'paper', documents: [] });
      const res = await printLetter(id, {});
      assert.equal(res.status, 409);
      assert.match(await res.text(), /<html/);
      assert.equal((await server.ctx.store.db.selectFrom('request_events').select('id').where('request_id', '=', id).where('action', '=', 'payment_letter_issued').execute()).length, 0);
    });
  });
}
