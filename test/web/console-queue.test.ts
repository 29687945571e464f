import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock, DAY_MS } from '../../src/clock.ts';
import { createAssertion } from '../../src/auth/signed-assertion.ts';
import { createStaffUser } from '../../src/staff/staff-users.ts';
import { sweepStaffAlerts } from '../../src/requests/request-staff-alerts.ts';
import { storeDialects } from '../support/stores.ts';
import { consoleCsrf, signIn, startTestServer, type CookieJar, type TestServer } from '../staff/console-helpers.ts';

const ASSERTION_SECRET = 'operator-app-shared-secret-0123456789';
const OFFICER = { email: 'dpo@example.jp', password: 'officer password long enough' };
const HANDLER = { email: 'handler@example.jp', password: 'handler password long enough' };

for (const dialect of storeDialects) {
  describe(`the request queue and staff alerts on ${dialect}`, () => {
    const clock = createManualClock('2026-04-01T00:00:00Z');
    let server: TestServer;
    let jar: CookieJar;
    let csrf: string;
    let handlerId = '';

    async function file(kind: string, email: string, withAssertion = true): Promise<string> {
      const fd = new FormData();
      for (const [k, v] of Object.entries({ kind, lang: 'ja', applicant: 'self', email, description: '登録情報について', ...(kind === 'correction' ? { current_value: '現在の登録内容', correct_value: '正しい内容' } : {}) })) fd.set(k, v);
      if (withAssertion) fd.set('assertion', createAssertion({ sub: email, email, exp: Math.floor(clock.now().getTime() / 1000) + 300 }, ASSERTION_SECRET));
      const res = await fetch(`${server.url}/privacy-center/requests`, { method: 'POST', body: fd, redirect: 'manual' });
      return /requests\/(req_[^?/]+)/.exec(res.headers.get('location') ?? '')?.[1] ?? '';
    }
    const get = async (path: string) => (await fetch(`${server.url}${path}`, { headers: { cookie: jar.header(), accept: 'text/html', 'accept-language': 'ja' } })).text();
    const post = (id: string, action: string, fields: Record<string, string>) =>
      fetch(`${server.url}/console/requests/${id}/${action}`, { method: 'POST', redirect: 'manual', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body: new URLSearchParams({ _csrf: csrf, ...fields }) });
    const rowsOf = (page: string) => [...page.matchAll(/<a href="\/console\/requests\/(req_[a-z0-9]+)">/g)].map((m) => m[1]);

    before(async () => {
      server = await startTestServer(dialect, { clock, config: { assertionSecret: ASSERTION_SECRET } });
      await createStaffUser(server.ctx.store.db, clock, { email: OFFICER.email, role: 'officer', password: OFFICER.password, actor: 'cli' });
      handlerId = (await createStaffUser(server.ctx.store.db, clock, { email: HANDLER.email, role: 'staff', password: HANDLER.password, actor: 'cli' })).id;
      jar = (await signIn(server.url, OFFICER.email, OFFICER.password)).jar;
      csrf = await consoleCsrf(server.url, jar);
    });
    after(async () => server.stop());

    test('the queue finds a request by its number, the email or the account, and keeps unconfirmed and finished requests apart', async () => {
      const open = await file('correction', 'Hanako.Yamada@example.jp');
      const unconfirmed = await file('correction', 'taro@example.jp', false);
      const finished = await file('correction', 'jiro@example.jp');
      assert.equal((await post(finished, 'decide', { outcome: 'full', c1_field: '表示名', c1_before: 'a', c1_after: 'b' })).status, 303);

      const first = rowsOf(await get('/console'));
      assert.ok(first.includes(open) && !first.includes(unconfirmed) && !first.includes(finished), 'the default view lists requests being handled');
      assert.deepEqual(rowsOf(await get('/console?scope=unconfirmed')), [unconfirmed]);
      assert.ok(rowsOf(await get('/console?scope=closed')).includes(finished));
      assert.deepEqual(rowsOf(await get('/console?scope=all&q=hanako.yamada%40example.jp')), [open], 'email, any case');
      assert.deepEqual(rowsOf(await get(`/console?scope=all&q=${open.slice(4, 12)}`)), [open], 'part of the request number');
      assert.deepEqual(rowsOf(await get('/console?scope=all&q=%25')), [], 'a LIKE wildcard is taken literally');
    });

    test('staff see the 8-digit payment reference in the fees section, in both languages, and the queue finds the request by it', async () => {
      const id = await file('disclosure', 'rokuro@example.jp');
      const ja = await get(`/console/requests/${id}?lang=ja`);
      const reference = /<strong class="payment-reference">(\d{8})<\/strong>/.exec(ja)?.[1] ?? '';
      assert.match(reference, /^\d{8}$/, 'the request page shows the reference the person was given');
      assert.match(ja, /お支払い番号<\/th><td><strong class="payment-reference">\d{8}<\/strong> <span class="muted">（振込名義の先頭/);
      assert.match(ja, /お支払い期限<\/th><td>\d{4}\/\d{2}\/\d{2}まで/);
      const en = await get(`/console/requests/${id}?lang=en`);
      assert.ok(en.includes(`Payment reference</th><td><strong class="payment-reference">${reference}</strong>`));
      assert.match(en, /Payment due<\/th><td>\d{1,2} [A-Z][a-z]{2} \d{4} \(the request lapses/);
      assert.deepEqual(rowsOf(await get(`/console?scope=all&q=${reference}`)), [id], 'a bank transfer\'s sender name leads to its request');
    });

    test('staff assign a request and add internal notes; the queue filters by assignee and exports CSV', async () => {
      const id = await file('suspension', 'saburo@example.jp');
      const assigned = await post(id, 'assign', { assignee: handlerId });
      assert.equal(assigned.status, 303);
      assert.match(await get(assigned.headers.get('location') ?? ''), /担当者を更新しました[\s\S]*担当者: <strong>handler@example\.jp<\/strong>/);
      const noted = await post(id, 'note', { text: '本人から電話あり。来週までに回答予定。' });
      assert.equal(noted.status, 303);
      const page = await get(`/console/requests/${id}`);
      assert.match(page, /本人から電話あり。来週までに回答予定。/);
      assert.equal((await post(id, 'note', { text: 'x'.repeat(2001) })).status, 400, 'a note over 2,000 characters is refused');
      assert.deepEqual(rowsOf(await get(`/console?assignee=${handlerId}`)), [id]);
      assert.ok(!rowsOf(await get('/console?assignee=none')).includes(id));

      const csv = await fetch(`${server.url}/console/requests.csv?assignee=${handlerId}`, { headers: { cookie: jar.header(), 'accept-language': 'ja' } });
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
      const bytes = Buffer.from(await csv.arrayBuffer());
      assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a BOM, so spreadsheet programs read UTF-8');
      const text = bytes.subarray(3).toString('utf8');
      assert.ok(text.startsWith('"受付番号"'), 'Japanese headings');
      assert.match(text, new RegExp(`"${id}","利用停止・消去","対応中".*"handler@example\\.jp"`));
      assert.doesNotMatch(text, /saburo@example\.jp/, 'no requester data in the export');
    });

    test('a staff member gets one mail per new request, per deadline three days ahead, even when two sweeps run at once', async () => {
      const id = await file('stop_provision', 'shiro@example.jp');
      const deps = { store: server.ctx.store, clock, policy: server.ctx.policy.policy, baseUrl: server.url };
      const [a, b] = await Promise.all([sweepStaffAlerts(deps), sweepStaffAlerts(deps)]);
      const fresh = [...a, ...b].filter((x) => x.requestId === id && x.kind === 'new_request');
      assert.equal(fresh.length, 1, 'two concurrent sweeps send the new-request alert once');
      assert.equal((await sweepStaffAlerts(deps)).filter((x) => x.requestId === id).length, 0, 'a later sweep sends nothing again');

      clock.advance(12 * DAY_MS); // the example answers within 14 days: two days are left
      const due = (await Promise.all([sweepStaffAlerts(deps), sweepStaffAlerts(deps)])).flat().filter((x) => x.requestId === id && x.kind === 'deadline_soon');
      assert.equal(due.length, 1, 'one deadline alert');
      const mails = await server.ctx.store.db.selectFrom('mail_outbox').select(['to_address', 'subject', 'text_body', 'topic']).where('topic', 'like', 'staff.%').execute();
      const about = mails.filter((m) => m.subject.includes(id));
      assert.ok(about.some((m) => m.topic === 'staff.new_request' && m.to_address === OFFICER.email && m.to_address !== 'shiro@example.jp'));
      const soon = about.find((m) => m.topic === 'staff.deadline_soon');
      assert.ok(soon, 'deadline mail queued');
      assert.match(soon.text_body, /回答期限: 2026年4月\d+日 \d\d:\d\d（日本時間）/);
      assert.doesNotMatch(soon.text_body, /shiro@example\.jp/, 'the mail carries no requester data');
    });

    test('a webhook step whose callback has not come for a day is mailed to staff once', async () => {
      const id = await file('disclosure', 'goro@example.jp');
      const db = server.ctx.store.db;
      const at = clock.now().toISOString();
      // A run waiting on the operator's app, as the connector service leaves it after calling the webhook.
      await db.insertInto('connector_runs').values({ id: 'crun_waiting_for_app_1', request_id: id, kind: 'access', status: 'waiting', dry_run: 0, payload_sealed: 'x', attempts: 1, lease_owner: null, lease_until: null, created_at: at, updated_at: at, finished_at: null }).execute();
      await db.insertInto('connector_tasks').values({ id: 'ctask_waiting_for_app_1', run_id: 'crun_waiting_for_app_1', request_id: id, dataset: 'app_accounts', kind: 'webhook', status: 'open', reason: null, actor: null, created_at: at, updated_at: at }).execute();
      const deps = { store: server.ctx.store, clock, policy: server.ctx.policy.policy, baseUrl: server.url };
      assert.equal((await sweepStaffAlerts(deps)).filter((x) => x.kind === 'callback_missing').length, 0, 'not yet: the app has a day');
      clock.advance(DAY_MS + 60_000);
      const sent = (await Promise.all([sweepStaffAlerts(deps), sweepStaffAlerts(deps)])).flat().filter((x) => x.kind === 'callback_missing');
      assert.equal(sent.length, 1);
      const mail = await db.selectFrom('mail_outbox').select(['subject', 'text_body']).where('topic', '=', 'staff.callback_missing').executeTakeFirstOrThrow();
      assert.match(mail.text_body, /連携システム「app_accounts」/);
      assert.match(mail.text_body, new RegExp(`/console/requests/${id}/systems`));
    });
  });
}
