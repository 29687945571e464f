import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '../../src/clock.ts';
import { createAssertion } from '../../src/auth/signed-assertion.ts';
import { createStaffUser } from '../../src/staff/staff-users.ts';
import { consoleCsrf, signIn, startTestServer, type CookieJar, type TestServer } from '../staff/console-helpers.ts';

const ASSERTION_SECRET = 'operator-app-shared-secret-0123456789';
const OFFICER = { email: 'dpo@example.jp', password: 'officer password long enough' };

/** What the console says back to staff: Japanese sentences instead of validation internals, and a word after each action. */
describe('console feedback on a Japanese page', () => {
  const clock = createManualClock('2026-04-01T00:00:00Z');
  let server: TestServer;
  let jar: CookieJar;
  let csrf: string;

  async function file(kind: string, email: string): Promise<string> {
    const assertion = createAssertion({ sub: email, email, exp: Math.floor(clock.now().getTime() / 1000) + 300 }, ASSERTION_SECRET);
    const fd = new FormData();
    for (const [k, v] of Object.entries({ kind, lang: 'ja', applicant: 'self', email, description: '登録情報について', assertion, ...(kind === 'correction' ? { current_value: '東京都港区芝1-2-3', correct_value: '東京都港区芝4-5-6' } : {}) })) fd.set(k, v);
    const res = await fetch(`${server.url}/privacy-center/requests`, { method: 'POST', body: fd, redirect: 'manual' });
    return /requests\/(req_[^?]+)/.exec(res.headers.get('location') ?? '')?.[1] ?? '';
  }

  const post = (id: string, action: string, fields: Record<string, string>) =>
    fetch(`${server.url}/console/requests/${id}/${action}`, { method: 'POST', redirect: 'manual', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', 'accept-language': 'ja' }, body: new URLSearchParams({ _csrf: csrf, ...fields }) });
  const upload = (id: string, name: string, bytes: string) => {
    const fd = new FormData();
    fd.set('file', new Blob([new Uint8Array(Buffer.from(bytes))]), name);
    return fetch(`${server.url}/console/requests/${id}/gather-file?_csrf=${encodeURIComponent(csrf)}`, { method: 'POST', body: fd, redirect: 'manual', headers: { cookie: jar.header(), accept: 'text/html', 'accept-language': 'ja' } });
  };
  const show = async (path: string) => (await fetch(`${server.url}${path}`, { headers: { cookie: jar.header(), accept: 'text/html', 'accept-language': 'ja' } })).text();
  const visible = (page: string) => page.replace(/<style[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, ' ');

  before(async () => {
    server = await startTestServer('sqlite', { clock, config: { assertionSecret: ASSERTION_SECRET } });
    await createStaffUser(server.ctx.store.db, clock, { email: OFFICER.email, role: 'officer', password: OFFICER.password, actor: 'cli' });
    jar = (await signIn(server.url, OFFICER.email, OFFICER.password)).jar;
    csrf = await consoleCsrf(server.url, jar);
  });
  after(async () => server.stop());

  test('refusing without a ground names the field in Japanese, without the validator text', async () => {
    const id = await file('correction', 'ichiro@example.jp');
    const res = await post(id, 'decide', { outcome: 'refused', reason: '誤りは認められませんでした。' });
    assert.equal(res.status, 400);
    const text = visible(await res.text());
    assert.match(text, /確認が必要な項目: 法令上の根拠/);
    assert.doesNotMatch(text, /Invalid option|expected one of|ground:/);
  });

  test('a refusal without a reason is explained in Japanese', async () => {
    const id = await file('correction', 'jiro@example.jp');
    const res = await post(id, 'decide', { outcome: 'refused', ground: 'not_untrue' });
    assert.equal(res.status, 400);
    const text = visible(await res.text());
    assert.match(text, /理由を入力してください/);
    assert.doesNotMatch(text, /A written reason is required/);
  });

  test('gathered exports in CSV and JSON are accepted; other files are refused in Japanese', async () => {
    const id = await file('correction', 'saburo@example.jp');
    assert.equal((await upload(id, 'users.csv', 'id,name\n1,花子\n')).status, 303);
    assert.equal((await upload(id, 'users.json', '{"id":1,"name":"花子"}')).status, 303);
    const bad = await upload(id, 'tool.exe', 'MZ\u0000\u0001binary');
    assert.equal(bad.status, 415);
    const text = visible(await bad.text());
    assert.match(text, /このファイルの形式は受け付けていません/);
    assert.doesNotMatch(text, /is not a PDF/);
    assert.match(await show(`/console/requests/${id}`), /users\.csv[\s\S]*users\.json/);
  });

  test('each action ends with a message saying what was done', async () => {
    const id = await file('correction', 'shiro@example.jp');
    const res = await post(id, 'gather', { title: '会員情報', rows: '表示名: しろう' });
    assert.equal(res.status, 303);
    const page = visible(await show(res.headers.get('location') ?? ''));
    assert.match(page, /手入力のデータを追加しました/);
  });

  test('gathering from systems without a dataset graph says so before and after', async () => {
    const id = await file('correction', 'goro@example.jp');
    const before = visible(await show(`/console/requests/${id}`));
    assert.match(before, /データセットグラフ（datasets\.yaml）が設定されていないため/);
    const res = await post(id, 'gather-systems', {});
    assert.equal(res.status, 303);
    const after = visible(await show(res.headers.get('location') ?? ''));
    assert.match(after, /この方のデータは見つかりませんでした|区分を収集しました/);
  });

  test('decision and delivery ask for a ticked confirmation', async () => {
    const id = await file('correction', 'rokuro@example.jp');
    const page = await show(`/console/requests/${id}`);
    assert.match(page, /name="confirmed" value="yes" required[^>]*>\s*<label[^>]*>決定は記録後に変更できず/);
  });

  test('a finished request shows that it was answered, not that identity is unchecked', async () => {
    const id = await file('correction', 'nanao@example.jp');
    assert.equal((await post(id, 'decide', { outcome: 'full', c1_field: '表示名', c1_before: 'a', c1_after: 'b' })).status, 303);
    const page = visible(await show(`/console/requests/${id}`));
    assert.match(page, /回答済み/);
    assert.doesNotMatch(page, /本人確認前/);
    const queue = visible(await show('/console?scope=all&kind=correction'));
    assert.doesNotMatch(queue, /本人確認前/);
  });

  test('a console error page speaks the staff member’s language', async () => {
    const id = await file('correction', 'hachiro@example.jp');
    const noToken = await fetch(`${server.url}/console/requests/${id}/close`, { method: 'POST', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', 'accept-language': 'ja' }, body: '' });
    assert.equal(noToken.status, 403);
    const text = visible(await noToken.text());
    assert.match(text, /フォームの有効期限が切れたか/);
    assert.doesNotMatch(text, /This form has expired/);
    const english = await fetch(`${server.url}/console/requests/${id}/close?lang=en`, { method: 'POST', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body: '' });
    assert.doesNotMatch(visible(await english.text()), /フォーム/);
  });
});
