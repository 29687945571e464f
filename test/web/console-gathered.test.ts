import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '../../src/clock.ts';
import { createAssertion } from '../../src/auth/signed-assertion.ts';
import { verifyAuditChain } from '../../src/audit/audit-log.ts';
import { requestServiceFor } from '../../src/requests/request-service.ts';
import { createStaffUser } from '../../src/staff/staff-users.ts';
import { can, staffRoles } from '../../src/staff/staff-permissions.ts';
import { storeDialects } from '../support/stores.ts';
import { consoleCsrf, signIn, startTestServer, type CookieJar, type TestServer } from '../staff/console-helpers.ts';

const ASSERTION_SECRET = 'operator-app-shared-secret-0123456789';
const PASSWORD = 'a staff password long enough';
const MARKER = 'unique-gathered-value-7f3a';

for (const dialect of storeDialects) {
  describe(`console gathered data review over HTTP on ${dialect}`, () => {
    const clock = createManualClock('2026-05-01T00:00:00Z');
    let server: TestServer;
    let jar: CookieJar;
    let csrf: string;

    const get = (path: string, cookie = jar.header()) => fetch(`${server.url}${path}`, { headers: { cookie, accept: 'text/html', 'accept-language': 'ja' }, redirect: 'manual' });
    const post = (path: string, fields: Record<string, string>) =>
      fetch(`${server.url}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body: new URLSearchParams({ _csrf: csrf, ...fields }) });

    /** A disclosure filed by a signed-in user of the operator's app, fee paid by staff: work in progress. */
    async function disclosureInProgress(email: string): Promise<string> {
      const assertion = createAssertion({ sub: email, email, exp: Math.floor(clock.now().getTime() / 1000) + 300 }, ASSERTION_SECRET);
      const fd = new FormData();
      for (const [k, v] of Object.entries({ kind: 'disclosure', lang: 'ja', applicant: 'self', email, description: '保有個人データの開示をお願いします。', delivery: 'electronic', assertion })) fd.set(k, v);
      const res = await fetch(`${server.url}/privacy-center/requests`, { method: 'POST', body: fd, redirect: 'manual' });
      assert.equal(res.status, 303);
      const id = /requests\/(req_[^?]+)/.exec(res.headers.get('location') ?? '')?.[1] ?? '';
      assert.ok(id);
      const paid = await post(`/console/requests/${id}/mark-paid`, { method: 'bank_transfer', reference: 'ﾔﾏﾀﾞ ﾊﾅｺ 0501', amount: '1500' });
      assert.equal(paid.status, 303);
      return id;
    }

    async function viewEvents(id: string) {
      const timeline = await server.ctx.store.db.selectFrom('request_events').select(['actor', 'data']).where('request_id', '=', id).where('action', '=', 'gathered_viewed').execute();
      const audit = await server.ctx.store.db.selectFrom('audit_events').select(['actor', 'data']).where('target_id', '=', id).where('action', '=', 'request.gathered_viewed').execute();
      return { timeline, audit };
    }

    before(async () => {
      server = await startTestServer(dialect, { clock, config: { assertionSecret: ASSERTION_SECRET } });
      for (const role of staffRoles) await createStaffUser(server.ctx.store.db, clock, { email: `${role}@example.jp`, role, password: PASSWORD, actor: 'cli' });
      jar = (await signIn(server.url, 'officer@example.jp', PASSWORD)).jar;
      csrf = await consoleCsrf(server.url, jar);
    });
    after(async () => server.stop());

    test('rows entered by hand are shown as escaped text, linked from the request page', async () => {
      const id = await disclosureInProgress('hanako@example.jp');
      const added = await post(`/console/requests/${id}/gather`, { title: 'サポート記録 <b>', rows: `メモ: <script>alert("x")</script>\n<img src=x onerror=alert(1)>: ${MARKER}` });
      assert.equal(added.status, 303);
      const requestPage = await (await get(`/console/requests/${id}`)).text();
      assert.match(requestPage, new RegExp(`<a href="/console/requests/${id}/gathered">`));

      const res = await get(`/console/requests/${id}/gathered`);
      assert.equal(res.status, 200);
      const page = await res.text();
      assert.match(page, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
      assert.doesNotMatch(page, /<script>alert/);
      assert.match(page, /<th scope="col">&lt;img src=x onerror=alert\(1\)&gt;<\/th>/, 'keys are escaped too');
      assert.doesNotMatch(page, /<img src=x/);
      assert.match(page, /サポート記録 &lt;b&gt;/);
      assert.match(page, new RegExp(`<td[^>]*>${MARKER}</td>`));
      assert.match(page, /1件の収集結果、合計1行/);
    });

    test('every view is recorded once in the timeline and the audit chain, with counts and never the data', async () => {
      const id = await disclosureInProgress('jiro@example.jp');
      await requestServiceFor(server.ctx).addGatheredData('staff:setup', id, { source: 'manual', title: { ja: '問い合わせ', en: 'Inquiries' }, groups: [{ name: 'inquiries', rows: [{ body: MARKER }, { body: 'two' }] }] });
      assert.equal((await get(`/console/requests/${id}/gathered`)).status, 200);
      let events = await viewEvents(id);
      assert.equal(events.timeline.length, 1);
      assert.equal(events.audit.length, 1);
      assert.equal((await get(`/console/requests/${id}/gathered`)).status, 200);
      events = await viewEvents(id);
      assert.equal(events.timeline.length, 2);
      assert.equal(events.audit.length, 2);
      const officer = await server.ctx.store.db.selectFrom('staff_users').select('id').where('email', '=', 'officer@example.jp').executeTakeFirstOrThrow();
      for (const e of [...events.timeline, ...events.audit]) {
        assert.equal(e.actor, `staff:${officer.id}`);
        assert.deepEqual(JSON.parse(e.data), { sections: 1, rows: 2, files: 0 });
      }
      const leaked = await server.ctx.store.db.selectFrom('audit_events').select('id').where('data', 'like', `%${MARKER}%`).execute();
      assert.equal(leaked.length, 0, 'the gathered values never reach the audit log');
      assert.equal((await verifyAuditChain(server.ctx.store.db)).ok, true);
      const requestPage = await (await get(`/console/requests/${id}`)).text();
      assert.match(requestPage, /収集データの閲覧（スタッフ）/);
    });

    test('a long table is cut with a note and the full count', async () => {
      const id = await disclosureInProgress('saburo@example.jp');
      const rows: Array<Record<string, unknown>> = Array.from({ length: 203 }, (_, i) => ({ n: `row-${i + 1}` }));
      rows[0] = { n: 'row-1', note: `${'あ'.repeat(2000)}END-OF-LONG-CELL`, nested: { a: [1, '<i>'] } };
      await requestServiceFor(server.ctx).addGatheredData('staff:setup', id, { source: 'manual', title: { ja: 'ログ', en: 'Logs' }, groups: [{ name: 'access_log', rows }] });
      const page = await (await get(`/console/requests/${id}/gathered`)).text();
      assert.match(page, /全203行のうち先頭の200行のみ表示/);
      assert.match(page, />row-200</);
      assert.doesNotMatch(page, />row-201</);
      assert.match(page, /…（以下省略）/, 'a very long value is cut with a mark');
      assert.doesNotMatch(page, /END-OF-LONG-CELL/);
      assert.match(page, /\{&quot;a&quot;:\[1,&quot;&lt;i&gt;&quot;\]\}/, 'nested values are shown as escaped JSON');
    });

    test('a request with only a gathered file still links to the review page, which lists the file', async () => {
      const id = await disclosureInProgress('goro@example.jp');
      await requestServiceFor(server.ctx).addGatheredFile('staff:setup', id, { filename: 'export<1>.pdf', bytes: Buffer.from('%PDF-1.4\n%%EOF\n') });
      const requestPage = await (await get(`/console/requests/${id}`)).text();
      assert.match(requestPage, new RegExp(`<a href="/console/requests/${id}/gathered">`));
      const page = await (await get(`/console/requests/${id}/gathered`)).text();
      assert.match(page, /表形式のデータはありません（収集したのはファイルのみです）/);
      assert.match(page, new RegExp(`<a href="/console/requests/${id}/files/rfile_[^"]+"><bdi>export_1_\\.pdf</bdi></a>`));
      assert.deepEqual(JSON.parse((await viewEvents(id)).audit[0]?.data ?? '{}'), { sections: 0, rows: 0, files: 1 });
    });

    test('who may read requests sees the page, any other role is refused, and an unknown request is 404', async () => {
      const id = await disclosureInProgress('shiro@example.jp');
      for (const role of staffRoles) {
        const roleJar = (await signIn(server.url, `${role}@example.jp`, PASSWORD)).jar;
        const res = await get(`/console/requests/${id}/gathered`, roleJar.header());
        assert.equal(res.status, can(role, 'requests.view') ? 200 : 403, role);
        if (res.status === 403) assert.match(await res.text(), /MAMORI_FORBIDDEN/);
      }
      const anonymous = await fetch(`${server.url}/console/requests/${id}/gathered`, { headers: { accept: 'application/json' } });
      assert.equal(anonymous.status, 401);
      const missing = await get('/console/requests/req_nope/gathered');
      assert.equal(missing.status, 404);
      assert.match(await missing.text(), /MAMORI_REQUEST_NOT_FOUND/);
    });
  });
}
