import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '../../src/clock.ts';
import { createAssertion } from '../../src/auth/signed-assertion.ts';
import { createStaffUser } from '../../src/staff/staff-users.ts';
import { storeDialects } from '../support/stores.ts';
import { consoleCsrf, signIn, startTestServer, type TestServer } from '../staff/console-helpers.ts';

const ASSERTION_SECRET = 'operator-app-shared-secret-0123456789';
const PDF = Buffer.from('%PDF-1.4\n%%EOF\n');

function filing(fields: Record<string, string>, files: Record<string, { name: string; bytes: Buffer }> = {}): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries({ kind: 'disclosure', lang: 'ja', applicant: 'self', delivery: 'electronic', ...fields })) fd.set(k, v);
  for (const [k, f] of Object.entries(files)) fd.set(k, new Blob([new Uint8Array(f.bytes)]), f.name);
  return fd;
}

function summaryLinks(page: string): string[] {
  const summary = /<div class="notice error" role="alert"[^>]*id="error-summary"[\s\S]*?<\/div>/.exec(page)?.[0] ?? '';
  return [...summary.matchAll(/href="#([^"]+)"/g)].map((m) => m[1] ?? '');
}

for (const dialect of storeDialects) {
  describe(`privacy center forms over HTTP on ${dialect}`, () => {
    const clock = createManualClock('2026-04-01T00:00:00Z');
    let server: TestServer;
    const count = async () => Number((await server.ctx.store.db.selectFrom('requests').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow()).n);
    before(async () => {
      server = await startTestServer(dialect, { clock, config: { assertionSecret: ASSERTION_SECRET } });
    });
    after(async () => server.stop());

    test('the erasure form lists the 35条 grounds, the 35条5項 ones included, and the disclosure form does not', async () => {
      const form = await (await fetch(`${server.url}/privacy-center/new?kind=suspension&lang=ja`)).text();
      assert.match(form, /ご請求の理由（個人情報保護法35条/);
      assert.match(form, /当該保有個人データを利用する必要がなくなったとき/);
      assert.match(form, /個人情報保護委員会への報告を要する漏えい等が生じたとき/);
      const en = await (await fetch(`${server.url}/privacy-center/new?kind=stop_provision&lang=en`)).text();
      assert.match(en, /provided to a third party \(including one in a foreign country\) without your consent/);
      const disclosure = await (await fetch(`${server.url}/privacy-center/new?kind=disclosure&lang=ja`)).text();
      assert.doesNotMatch(disclosure, /個人情報保護法35条/);
    });

    test('offers the policy kinds in Japanese and in English', async () => {
      const landing = await fetch(`${server.url}/privacy-center`, { headers: { 'accept-language': 'ja' } });
      assert.match(landing.headers.get('content-security-policy') ?? '', /script-src 'none'.*frame-ancestors 'none'/, 'no script, no framing');
      const ja = await landing.text();
      assert.match(ja, /<html lang="ja">/);
      assert.match(ja, /開示（第三者提供記録を含む）/);
      assert.match(ja, /手数料 1,500円/);
      const en = await (await fetch(`${server.url}/privacy-center?lang=en`)).text();
      assert.match(en, /<html lang="en">/);
      assert.match(en, /Disclosure \(including third-party provision records\)/);
    });

    test('shows every missing or invalid field at once, linked from the error summary, and stores nothing', async () => {
      const res = await fetch(`${server.url}/privacy-center/requests`, { method: 'POST', body: filing({ email: 'not-an-email', description: '' }) });
      assert.equal(res.status, 400);
      const page = await res.text();
      assert.deepEqual(summaryLinks(page), ['email', 'description']);
      assert.match(page, /id="email"[^>]*aria-invalid="true"[^>]*aria-describedby="email-hint email-error"/);
      assert.match(page, /value="not-an-email"/, 'what was typed is kept');
      assert.equal(await count(), 0);
    });

    test('an agent must attach proof; a wrong file type or an oversize file is refused; nothing is stored', async () => {
      const agent = { email: 'agent@example.jp', description: '母の登録情報の開示を求めます。', applicant: 'agent', agent_kind: 'legal_representative', agent_name: '山田 花子', agent_relationship: '母' };
      const missing = await fetch(`${server.url}/privacy-center/requests`, { method: 'POST', body: filing(agent) });
      assert.equal(missing.status, 400);
      const missingPage = await missing.text();
      assert.deepEqual(summaryLinks(missingPage), ['proofs']);
      assert.match(missingPage, /代理権を確認できる書類/);

      const wrongType = await fetch(`${server.url}/privacy-center/requests`, { method: 'POST', body: filing(agent, { proof_power_of_attorney: { name: 'poa.txt', bytes: Buffer.from('not a pdf') } }) });
      assert.equal(wrongType.status, 415);
      assert.match(await wrongType.text(), /PDF・PNG・JPEG形式のファイルのみ/);

      const big = Buffer.alloc(10 * 1024 * 1024 + 1, 0x25);
      const tooLarge = await fetch(`${server.url}/privacy-center/requests`, { method: 'POST', body: filing(agent, { proof_power_of_attorney: { name: 'huge.pdf', bytes: big } }) });
      assert.equal(tooLarge.status, 413);
      assert.match(await tooLarge.text(), /10MBを超えるファイル/);
      assert.equal(await count(), 0);

      const ok = await fetch(`${server.url}/privacy-center/requests`, { method: 'POST', redirect: 'manual', body: filing(agent, { proof_power_of_attorney: { name: 'poa.pdf', bytes: PDF }, proof_agent_identity_document: { name: 'id.pdf', bytes: PDF } }) });
      assert.equal(ok.status, 303);
      assert.match(ok.headers.get('location') ?? '', /\/verify\?token=/);
      assert.equal(await count(), 1);
    });

    test('a signed-in user arriving with an assertion skips the code; a forged assertion gets a clear 401 page', async () => {
      const now = Math.floor(clock.now().getTime() / 1000);
      const assertion = createAssertion({ sub: 'user-42', email: 'taro@example.jp', exp: now + 300 }, ASSERTION_SECRET, 'jwt');
      const form = await (await fetch(`${server.url}/privacy-center/new?kind=disclosure&lang=ja&assertion=${encodeURIComponent(assertion)}`)).text();
      assert.match(form, /value="taro@example\.jp" readonly/);
      const res = await fetch(`${server.url}/privacy-center/requests`, { method: 'POST', redirect: 'manual', body: filing({ email: 'taro@example.jp', description: '全データの開示', assertion }) });
      assert.equal(res.status, 303);
      const location = res.headers.get('location') ?? '';
      assert.doesNotMatch(location, /verify/);
      const status = await (await fetch(`${server.url}${location}`)).text();
      assert.match(status, /手数料のお支払いのお願い/);
      const english = /href="([^"]+)" lang="en"/.exec(status)?.[1]?.replace(/&amp;/g, '&') ?? '';
      assert.match(english, /token=.+&lang=en$/, 'the language link keeps the secret token');
      assert.match(await (await fetch(`${server.url}${english}`)).text(), /Please pay the fee/);
      const id = /requests\/(req_[^?]+)/.exec(location)?.[1] ?? '';
      const codes = await server.ctx.store.db.selectFrom('mail_outbox').select('topic').where('ref_id', '=', id).execute();
      assert.ok(!codes.some((c) => c.topic === 'request.code'), 'no code mail');

      const forged = createAssertion({ sub: 'user-42', email: 'taro@example.jp', exp: now + 300 }, 'some-other-secret-0123456789', 'jwt');
      const bad = await fetch(`${server.url}/privacy-center/new?kind=disclosure&assertion=${encodeURIComponent(forged)}`);
      assert.equal(bad.status, 401);
      const badPage = await bad.text();
      assert.match(badPage, /ログイン情報を確認できませんでした/);
      assert.match(badPage, /MAMORI_REQUEST_ASSERTION_INVALID/);
    });

    test('wrong codes are counted, an expired code asks for a new one, and a wrong status link says so', async () => {
      const res = await fetch(`${server.url}/privacy-center/requests`, { method: 'POST', redirect: 'manual', body: filing({ email: 'jiro@example.jp', description: '開示をお願いします' }) });
      const verify = res.headers.get('location') ?? '';
      const wrong = await fetch(`${server.url}${verify}`, { method: 'POST', body: new URLSearchParams({ code: '000000' }) });
      assert.equal(wrong.status, 400);
      assert.deepEqual(summaryLinks(await wrong.text()), ['code']);
      clock.advance(11 * 60_000);
      const expired = await fetch(`${server.url}${verify}`, { method: 'POST', body: new URLSearchParams({ code: '123456' }) });
      assert.equal(expired.status, 400);
      assert.match(await expired.text(), /有効期限（10分）が過ぎました/);
      const resend = await fetch(`${server.url}${verify.replace('/verify?', '/resend?')}`, { method: 'POST' });
      assert.equal(resend.status, 200);
      assert.match(await resend.text(), /新しい確認コードをお送りしました/);

      const badLink = await fetch(`${server.url}${verify.replace(/token=[^&]+/, 'token=wrong').replace('/verify', '')}`);
      assert.equal(badLink.status, 404);
      assert.match(await badLink.text(), /このリンクは無効です/);
      const noToken = await fetch(`${server.url}/privacy-center/requests/req_x`);
      assert.equal(noToken.status, 404);
    });

    test('in the console, staff cannot decide (403 MAMORI_FORBIDDEN) and an auditor reads without any action form', async () => {
      await createStaffUser(server.ctx.store.db, clock, { email: 'staff@example.jp', role: 'staff', password: 'staff password long enough', actor: 'cli' });
      await createStaffUser(server.ctx.store.db, clock, { email: 'auditor@example.jp', role: 'auditor', password: 'auditor password long enough', actor: 'cli' });
      const id = (await server.ctx.store.db.selectFrom('requests').select('id').orderBy('created_at').executeTakeFirstOrThrow()).id;
      const staff = await signIn(server.url, 'staff@example.jp', 'staff password long enough');
      const csrf = await consoleCsrf(server.url, staff.jar);
      const decide = await fetch(`${server.url}/console/requests/${id}/decide`, { method: 'POST', headers: { cookie: staff.jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, outcome: 'full' }) });
      assert.equal(decide.status, 403);
      assert.equal(((await decide.json()) as { error: { code: string } }).error.code, 'MAMORI_FORBIDDEN');
      const noCsrf = await fetch(`${server.url}/console/requests/${id}/close`, { method: 'POST', headers: { cookie: staff.jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      assert.equal(noCsrf.status, 403);
      assert.equal(((await noCsrf.json()) as { error: { code: string } }).error.code, 'MAMORI_CSRF_INVALID');

      const auditor = await signIn(server.url, 'auditor@example.jp', 'auditor password long enough');
      const page = await (await fetch(`${server.url}/console/requests/${id}`, { headers: { cookie: auditor.jar.header(), accept: 'text/html' } })).text();
      assert.match(page, /ご担当の権限では閲覧のみ可能です/);
      assert.doesNotMatch(page, /action="\/console\/requests\/[^"]+\/(decide|mark-paid|confirm-identity)/);
      const viewed = await server.ctx.store.db.selectFrom('request_events').select(['actor', 'action']).where('request_id', '=', id).where('action', '=', 'viewed').execute();
      assert.ok(viewed.some((e) => e.actor.startsWith('staff:')), 'the auditor’s view is on the timeline');
    });
  });
}
