import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '../../src/clock.ts';
import { createApiKey } from '../../src/staff/api-keys.ts';
import { createStaffUser } from '../../src/staff/staff-users.ts';
import { createClient, MamoriApiError } from '../../src/sdk/index.ts';
import { publishVersion } from '../../src/policy/policy-versions.ts';
import { startTestServer, signIn, consoleCsrf, type TestServer } from '../staff/console-helpers.ts';

const password = 'correct horse battery staple 42';

describe('records HTTP API and pages', () => {
  let server: TestServer;
  let officerKey = '';
  let auditorKey = '';
  const clock = createManualClock('2026-04-01T01:00:00Z');
  before(async () => {
    server = await startTestServer('sqlite', { clock });
    officerKey = (await createApiKey(server.store.db, clock, { name: 'app', role: 'officer', actor: 'cli' })).key;
    auditorKey = (await createApiKey(server.store.db, clock, { name: 'audit', role: 'auditor', actor: 'cli' })).key;
    await createStaffUser(server.store.db, clock, { email: 'officer@example.jp', role: 'officer', password, actor: 'cli' });
    await createStaffUser(server.store.db, clock, { email: 'staff@example.jp', role: 'staff', password, actor: 'cli' });
  });
  after(async () => {
    await server.stop();
  });
  const api = (path: string, key: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${server.url}${path}`, { method: init.method ?? 'GET', headers: { authorization: `Bearer ${key}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });

  test('records a provision through the API, lists it by subject, and refuses bad input and weak keys with codes', async () => {
    const res = await api('/api/v1/provisions', officerKey, { method: 'POST', body: { basis: 'consent', providedOn: '2026-04-01', recipient: { name: '提携先株式会社' }, subjects: ['u-42'], dataItems: ['メールアドレス'], consentProof: 'rcpt_1' } });
    assert.equal(res.status, 201);
    const rec = (await res.json()) as { id: string; retainUntil: string };
    assert.equal(rec.retainUntil, '2029-04-01');
    const list = (await (await api('/api/v1/provisions?subject=u-42', auditorKey)).json()) as { provisions: Array<{ id: string }> };
    assert.deepEqual(list.provisions.map((p) => p.id), [rec.id]);
    const viewed = await server.store.db.selectFrom('audit_events').select(['actor', 'target_id']).where('action', '=', 'records.subject_viewed').execute();
    assert.deepEqual(viewed.map((v) => v.target_id), ['u-42'], 'looking up a person\'s records is audited');

    const bad = await api('/api/v1/provisions', officerKey, { method: 'POST', body: { basis: 'gift', providedOn: 'soon' } });
    assert.equal(bad.status, 400);
    const body = (await bad.json()) as { error: { code: string; details: { issues: Array<{ path: string }> } } };
    assert.equal(body.error.code, 'MAMORI_RECORD_INVALID');
    assert.ok(body.error.details.issues.some((i) => i.path === 'basis'));
    assert.equal((await api('/api/v1/provisions', auditorKey, { method: 'POST', body: {} })).status, 403);
    assert.equal((await api('/api/v1/provisions', 'mk_nope', { method: 'POST', body: {} })).status, 401);
  });

  test('an incident over the API is reportable for 1,001 people, and its alternative notice page is public', async () => {
    const res = await api('/api/v1/incidents', officerKey, { method: 'POST', body: { title: '設定ミスによる公開', discoveredAt: '2026-04-01T09:00:00+09:00', description: '会員名簿が一時的に外部から閲覧可能な状態でした。', dataItems: ['氏名'], affectedCount: 1001 } });
    assert.equal(res.status, 201);
    const inc = (await res.json()) as { id: string; reportability: { reportable: boolean; triggers: Array<{ trigger: string }> }; deadlines: { final: { dueDate: string } } };
    assert.deepEqual(inc.reportability.triggers.map((t) => t.trigger), ['over_threshold']);
    assert.equal(inc.deadlines.final.dueDate, '2026-05-01');
    const pub = await api(`/api/v1/incidents/${inc.id}/notice-page`, officerKey, { method: 'POST', body: { slug: 'member-list-exposure' } });
    assert.equal(pub.status, 200);
    const page = await fetch(`${server.url}/notices/member-list-exposure`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /会員名簿が一時的に外部から閲覧可能な状態でした。/);
    assert.equal((await fetch(`${server.url}/notices/nothing-here`)).status, 404);
  });

  test('statistics, audit verification and OpenAPI are served', async () => {
    const stats = (await (await api('/api/v1/statistics?k=10', auditorKey)).json()) as { k: number; provisions: Array<{ people: number | null }> };
    assert.equal(stats.k, 10);
    assert.equal(stats.provisions[0]?.people, null);
    const csv = await api('/api/v1/statistics.csv', auditorKey);
    assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
    assert.match(await csv.text(), /provisions,consent,people,<10/);
    const verify = (await (await api('/api/v1/audit/verify', auditorKey)).json()) as { ok: boolean };
    assert.equal(verify.ok, true);
    const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, unknown> };
    for (const p of ['/api/v1/provisions', '/api/v1/receipts', '/api/v1/related-confirmations', '/api/v1/incidents/{id}', '/api/v1/statistics', '/api/v1/audit/verify']) assert.ok(p in doc.paths, p);
  });

  test('console: an officer records an incident by form and sees deadlines; staff cannot open the audit log', async () => {
    const { jar } = await signIn(server.url, 'officer@example.jp', password);
    const csrf = await consoleCsrf(server.url, jar, '/console/incidents');
    const created = await fetch(`${server.url}/console/incidents`, {
      method: 'POST', redirect: 'manual', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ _csrf: csrf, title: 'カード情報の窃取', discoveredAt: '2026-04-01T10:00', description: '決済画面が改ざんされていました。', dataItems: 'カード番号', affectedCount: '12', financialHarmData: '1', skimming: '1' }),
    });
    assert.equal(created.status, 303);
    const detail = await (await fetch(`${server.url}${created.headers.get('location') ?? ''}`, { headers: { cookie: jar.header(), accept: 'text/html' } })).text();
    assert.match(detail, /規則7条2号/);
    assert.match(detail, /速報 2026\/04\/04/);
    assert.match(detail, /確報 2026\/05\/31/);
    const closeCsrf = await consoleCsrf(server.url, jar, created.headers.get('location') ?? '');
    const closed = await fetch(`${server.url}${created.headers.get('location') ?? ''}/status`, { method: 'POST', redirect: 'manual', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: closeCsrf, status: 'closed' }) });
    assert.equal(closed.status, 303);
    assert.match(await (await fetch(`${server.url}/console/incidents`, { headers: { cookie: jar.header(), accept: 'text/html' } })).text(), /完了/);
    await publishVersion(server.store, clock, { policy: server.ctx.policy.policy, sourceYaml: server.ctx.policy.source, effectiveOn: '2026-04-01', actor: 'cli' });
    assert.match(await (await fetch(`${server.url}/console/revision-notices`, { headers: { cookie: jar.header(), accept: 'text/html' } })).text(), /第1版（2026\/04\/01施行）については、まだ通知を送っていません/);
    const report = await fetch(`${server.url}${created.headers.get('location') ?? ''}/report`, { headers: { cookie: jar.header(), accept: 'text/html' } });
    assert.match(await report.text(), /再発防止のための措置/);
    const auditPage = await fetch(`${server.url}/console/audit`, { headers: { cookie: jar.header(), accept: 'text/html' } });
    assert.match(await auditPage.text(), /改ざんは検出されませんでした/);
    const stats = await fetch(`${server.url}/console/statistics`, { headers: { cookie: jar.header(), accept: 'text/html' } });
    assert.match(await stats.text(), /<svg role="img"|提供記録はありません|&lt;10/);

    const staff = await signIn(server.url, 'staff@example.jp', password);
    const denied = await fetch(`${server.url}/console/audit`, { headers: { cookie: staff.jar.header(), accept: 'text/html' } });
    assert.equal(denied.status, 403);
  });

  test('console: an incident with an unknown count is treated as reportable until the officer records why the threshold cannot be reached (規則7条)', async () => {
    const { jar } = await signIn(server.url, 'officer@example.jp', password);
    const csrf = await consoleCsrf(server.url, jar, '/console/incidents');
    const created = await fetch(`${server.url}/console/incidents`, {
      method: 'POST', redirect: 'manual', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ _csrf: csrf, title: '設定ミスによる公開', discoveredAt: '2026-04-01T10:00', description: '会員一覧が外部から閲覧できる状態でした。', dataItems: '氏名', affectedCount: '' }),
    });
    assert.equal(created.status, 303);
    const at = created.headers.get('location') ?? '';
    const detail = await (await fetch(`${server.url}${at}`, { headers: { cookie: jar.header(), accept: 'text/html' } })).text();
    assert.match(detail, /本人の数が未確定のため、報告対象として扱い、期限を起算しています/);
    assert.match(detail, /速報 2026\/04\/04/);
    assert.match(detail, /本人への通知（26条2項）: 必要です。2026\/04\/04までを目安に/);
    const ruleCsrf = await consoleCsrf(server.url, jar, at);
    const ruled = await fetch(`${server.url}${at}/threshold`, { method: 'POST', redirect: 'manual', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: ruleCsrf, reason: '会員一覧の総件数が420件' }) });
    assert.equal(ruled.status, 303);
    const after = await (await fetch(`${server.url}${at}`, { headers: { cookie: jar.header(), accept: 'text/html' } })).text();
    assert.match(after, /現時点の情報では報告対象に該当しません/);
    assert.match(after, /根拠: 会員一覧の総件数が420件/);
  });

  test('the SDK records a batch provision, a further provision and a receipt, and surfaces error codes', async () => {
    const mamori = createClient({ url: server.url, apiKey: officerKey });
    const batch = await mamori.recordProvision({ form: 'batch', basis: 'consent', providedOn: '2026-04-01', recipient: { name: '配送業者株式会社', address: '東京都港区1-1', representative: '代表取締役 配送' }, subjects: ['sdk-1'], dataItems: ['氏名', '住所'], consentProof: 'checkout consent v3' });
    assert.equal(batch.form, 'batch');
    const later = await mamori.recordFurtherProvision(batch.id, { providedOn: '2026-06-01', subjects: ['sdk-2'] });
    assert.equal(later.retainUntil, '2029-06-01');
    assert.deepEqual((await mamori.provisionsFor('sdk-2')).map((p) => p.id), [batch.id]);
    const receipt = await mamori.recordReceipt({ basis: 'consent', receivedOn: '2026-04-02', provider: { name: '紹介元', address: '大阪府', representative: '代表' }, providerAcquisition: '紹介元の申込フォームで本人から取得', consentConfirmed: true, subjects: ['sdk-1'], dataItems: ['氏名'] });
    assert.equal(receipt.retainUntil, '2029-04-02');
    assert.equal((await mamori.flagOptOutStop('sdk-3')).alreadyFlagged, false);
    await assert.rejects(mamori.recordProvision({ basis: 'consent', providedOn: '2026-04-01', recipient: { name: 'x' }, subjects: ['a'], dataItems: ['b'] }), (err) => err instanceof MamoriApiError && err.code === 'MAMORI_RECORD_INVALID' && err.status === 400);
  });

  test('console: an officer tracks an opt-out filing and records a receipt by form', async () => {
    const { jar } = await signIn(server.url, 'officer@example.jp', password);
    const csrf = await consoleCsrf(server.url, jar, '/console/records');
    const form = (path: string, fields: Record<string, string>) => fetch(`${server.url}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body: new URLSearchParams({ _csrf: csrf, ...fields }) });
    assert.equal((await form('/console/records/optout-filings', { title: '名簿の提供', dataItems: '氏名、住所' })).status, 303);
    const filing = await server.store.db.selectFrom('record_optout_filings').select('id').executeTakeFirstOrThrow();
    assert.equal((await form(`/console/records/optout-filings/${filing.id}`, { status: 'filed', date: '2026-03-01' })).status, 303);
    assert.equal((await form('/console/records/receipts', { basis: 'consent', receivedOn: '2026-03-10', providerName: '紹介元株式会社', providerAddress: '福岡県福岡市1-1', providerRepresentative: '代表 紹介', providerAcquisition: '紹介元の会員登録で取得', consentConfirmed: '1', subjectDescription: '紹介キャンペーンの応募者', dataItems: '氏名' })).status, 303);
    const missing = await form('/console/records/receipts', { basis: 'consent', receivedOn: '2026-03-10', providerName: 'x', providerAcquisition: 'y', dataItems: '氏名', subjects: 'a' });
    assert.equal(missing.status, 400, 'no address, representative or consent confirmation');
    const page = await (await fetch(`${server.url}/console/records`, { headers: { cookie: jar.header(), accept: 'text/html' } })).text();
    assert.match(page, /紹介元の会員登録で取得/);
    assert.match(page, /2026\/03\/01/, 'the filing date in the console\'s Japanese form');
    const noCsrf = await fetch(`${server.url}/console/records/optout-stops`, { method: 'POST', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, body: 'subjectId=x' });
    assert.equal(noCsrf.status, 403);
  });

  test('the 43条3項 item list page is public and lists a job run from the console at once', async () => {
    const before = await fetch(`${server.url}/privacy/anonymized`, { headers: { accept: 'text/html' } });
    assert.equal(before.status, 200);
    assert.match(await before.text(), /第43条第3項/);
    const { jar } = await signIn(server.url, 'officer@example.jp', password);
    const csrf = await consoleCsrf(server.url, jar, '/console/anonymization');
    const config = 'name: 地域別会員数\ndataset: members.csv\nk: 2\ncolumns:\n  - { name: email, role: identifier }\n  - { name: pref, role: quasi_identifier, transform: { kind: map, values: { 東京都: 関東, 神奈川県: 関東, 大阪府: 関西 }, otherwise: その他 }, label: { ja: 地域, en: Region } }\n';
    const res = await fetch(`${server.url}/console/anonymization`, {
      method: 'POST', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ _csrf: csrf, config, csv: 'email,pref\na@example.jp,東京都\nb@example.jp,神奈川県\nc@example.jp,大阪府\n' }),
    });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'pref\r\n関東\r\n関東\r\n');
    const after = await (await fetch(`${server.url}/privacy/anonymized?lang=en`)).text();
    assert.match(after, /地域別会員数/);
    assert.match(after, /Region/);
  });
});
