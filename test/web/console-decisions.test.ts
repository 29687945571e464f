import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock, DAY_MS } from '../../src/clock.ts';
import { createAssertion } from '../../src/auth/signed-assertion.ts';
import { createStaffUser } from '../../src/staff/staff-users.ts';
import { storeDialects } from '../support/stores.ts';
import { consoleCsrf, signIn, startTestServer, type CookieJar, type TestServer } from '../staff/console-helpers.ts';

const ASSERTION_SECRET = 'operator-app-shared-secret-0123456789';
const OFFICER = { email: 'dpo@example.jp', password: 'officer password long enough' };

for (const dialect of storeDialects) {
  describe(`console decisions over HTTP on ${dialect}`, () => {
    const clock = createManualClock('2026-04-01T00:00:00Z');
    let server: TestServer;
    let jar: CookieJar;
    let csrf: string;

    /** Files a request as a signed-in user of the operator's app (no code step) and returns its status path. */
    async function file(kind: string, email: string, description: string): Promise<{ id: string; status: string }> {
      const assertion = createAssertion({ sub: email, email, exp: Math.floor(clock.now().getTime() / 1000) + 300 }, ASSERTION_SECRET);
      const fd = new FormData();
      for (const [k, v] of Object.entries({ kind, lang: 'ja', applicant: 'self', email, description, assertion, ...(kind === 'correction' ? { current_value: '現在の登録内容', correct_value: '正しい内容' } : {}) })) fd.set(k, v);
      const res = await fetch(`${server.url}/privacy-center/requests`, { method: 'POST', body: fd, redirect: 'manual' });
      assert.equal(res.status, 303);
      const status = res.headers.get('location') ?? '';
      return { id: /requests\/(req_[^?]+)/.exec(status)?.[1] ?? '', status };
    }

    async function decide(id: string, fields: Record<string, string>): Promise<Response> {
      return fetch(`${server.url}/console/requests/${id}/decide`, { method: 'POST', redirect: 'manual', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body: new URLSearchParams({ _csrf: csrf, ...fields }) });
    }

    before(async () => {
      server = await startTestServer(dialect, { clock, config: { assertionSecret: ASSERTION_SECRET } });
      await createStaffUser(server.ctx.store.db, clock, { email: OFFICER.email, role: 'officer', password: OFFICER.password, actor: 'cli' });
      jar = (await signIn(server.url, OFFICER.email, OFFICER.password)).jar;
      csrf = await consoleCsrf(server.url, jar);
    });
    after(async () => server.stop());

    test('a correction decided in full records what changed, and the person sees before and after', async () => {
      const { id, status } = await file('correction', 'hanako@example.jp', '表示名の誤りを直してください。');
      const wrongGround = await decide(id, { outcome: 'refused', ground: 'harm_to_person_or_third_party', reason: '理由' });
      assert.equal(wrongGround.status, 400);
      assert.match(await wrongGround.text(), /MAMORI_REQUEST_GROUND_INVALID/);
      const res = await decide(id, { outcome: 'full', c1_field: '表示名', c1_before: 'はなこ', c1_after: '花子' });
      assert.equal(res.status, 303);
      const page = await (await fetch(`${server.url}${status}`)).text();
      assert.match(page, /ご請求のとおり対応いたします/);
      assert.match(page, /<td>表示名<\/td><td>はなこ<\/td><td>花子<\/td>/);
    });

    test('a suspension answered with an alternative measure shows the ground, the reason and the measure', async () => {
      const { id, status } = await file('suspension', 'jiro@example.jp', '投稿の利用を停止してください。');
      const missing = await decide(id, { outcome: 'alternative', ground: 'alternative_measure', reason: '連合先に配送済みの複製は当サーバーから消去できないため。' });
      assert.equal(missing.status, 400, 'an alternative without the measure is refused');
      const res = await decide(id, { outcome: 'alternative', ground: 'alternative_measure', reason: '連合先に配送済みの複製は当サーバーから消去できないため。', alternative_measure: '当サーバー上の投稿を非公開にし、連合先へ削除依頼を送信しました。' });
      assert.equal(res.status, 303);
      const page = await (await fetch(`${server.url}${status}`)).text();
      assert.match(page, /代わりの措置をとります/);
      assert.match(page, /35条2項・4項・6項ただし書/);
      assert.match(page, /連合先へ削除依頼を送信しました/);
      assert.match(page, /ご意見・苦情/, 'where to complain');
    });

    test('a refused correction names the statutory ground and the written reason', async () => {
      const { id, status } = await file('correction', 'saburo@example.jp', '生年月日を変更してください。');
      const res = await decide(id, { outcome: 'refused', ground: 'not_untrue', reason: '登録時の記録と照合した結果、登録内容に誤りは認められませんでした。' });
      assert.equal(res.status, 303);
      const page = await (await fetch(`${server.url}${status}`)).text();
      assert.match(page, /ご請求には応じられません/);
      assert.match(page, /34条/);
      assert.match(page, /登録内容に誤りは認められませんでした/);
    });

    test('staff ask for documents, the person uploads them on the status page, staff see them and continue', async () => {
      const { id, status } = await file('suspension', 'goro@example.jp', '退会済みアカウントの情報を消去してください。');
      const ask = await fetch(`${server.url}/console/requests/${id}/request-documents`, { method: 'POST', redirect: 'manual', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, what: 'ご本人確認のため、運転免許証の写しをお送りください。' }) });
      assert.equal(ask.status, 303);
      const page = await (await fetch(`${server.url}${status}`)).text();
      assert.match(page, /書類のご提出のお願い/);
      assert.match(page, /運転免許証の写しをお送りください/);
      const action = /<form method="post" action="([^"]+\/documents\?[^"]+)"/.exec(page)?.[1]?.replace(/&amp;/g, '&') ?? '';
      const fd = new FormData();
      fd.set('identity_document', new Blob([new Uint8Array(Buffer.from('%PDF-1.4\n%%EOF\n'))]), 'license.pdf');
      const upload = await fetch(`${server.url}${action}`, { method: 'POST', body: fd, redirect: 'manual' });
      assert.equal(upload.status, 303);
      const staffPage = await (await fetch(`${server.url}/console/requests/${id}`, { headers: { cookie: jar.header(), accept: 'text/html', 'accept-language': 'ja' } })).text();
      assert.match(staffPage, /license\.pdf/);
      assert.match(staffPage, /書類の受領（請求者から）/);
    });

    test('the queue filters by kind and marks overdue requests with a badge, not colour alone', async () => {
      const { id } = await file('stop_provision', 'shiro@example.jp', '第三者への提供を止めてください。');
      clock.advance(15 * DAY_MS);
      jar = (await signIn(server.url, OFFICER.email, OFFICER.password)).jar; // the old session has long expired
      const queue = await (await fetch(`${server.url}/console?overdue=true`, { headers: { cookie: jar.header(), accept: 'text/html', 'accept-language': 'ja' } })).text();
      assert.match(queue, new RegExp(`<tr class="overdue">\\s*<td[^>]*><a href="/console/requests/${id}">`));
      assert.match(queue, /<span class="badge overdue">期限超過<\/span>/);
      const corrections = await (await fetch(`${server.url}/console?kind=correction&scope=all`, { headers: { cookie: jar.header(), accept: 'text/html' } })).text();
      assert.doesNotMatch(corrections, new RegExp(id));
      assert.match(corrections, /2件/);
      const bad = await fetch(`${server.url}/console?state=nonsense`, { headers: { cookie: jar.header(), accept: 'text/html' } });
      assert.equal(bad.status, 400);
      assert.match(await bad.text(), /絞り込み条件の一部が正しくない/);
    });
  });
}
