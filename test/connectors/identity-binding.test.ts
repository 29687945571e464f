import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiKey } from '../../src/staff/api-keys.ts';
import { createStaffUser } from '../../src/staff/staff-users.ts';
import { createFixtureDb, seedFediverse, snapshot, userEmail, userId, type FixtureDb } from '../fixtures/fediverse/fediverse-fixture.ts';
import { signIn } from '../staff/console-helpers.ts';
import { codeFromMail, MISSKEY_POLICY, postJson, startApp, type TestApp } from '../requests/request-test-kit.ts';

/*
 * Identity binding (APPI 37条): an email code verifies the email and nothing else. A requester who confirms their own
 * email but types someone else's account id must never reach that other person's rows: not in a disclosure, not in
 * an erasure. Real server, real SMTP, the Misskey example's graph on a real PostgreSQL database.
 */

const GRAPH = 'examples/misskey-server/datasets.yaml';
const ATTACKER = 1;
const VICTIM = 2;

async function setUp(): Promise<{ app: TestApp; fx: FixtureDb; key: string; close(): Promise<void> }> {
  const fx = await createFixtureDb('postgres');
  await seedFediverse(fx.conn, 4);
  process.env.MISSKEY_DATABASE_URL = fx.url;
  const app = await startApp('sqlite', MISSKEY_POLICY, { graphPath: GRAPH });
  const key = (await createApiKey(app.store.db, app.clock, { name: 'officer key', role: 'officer', actor: 'cli' })).key;
  return {
    app,
    fx,
    key,
    async close() {
      await app.close();
      await fx.drop();
    },
  };
}

async function staffCall(app: TestApp, key: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${app.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Files through the public API with the requester's own email and a typed account id, and confirms the code. */
async function fileWithClaim(app: TestApp, kind: string, email: string, accountId: string): Promise<{ id: string; token: string }> {
  const filed = await postJson(`${app.url}/api/v1/requests`, { kind, email, account_id: accountId, lang: 'ja' });
  assert.equal(filed.status, 201, JSON.stringify(filed.json));
  const id = String(filed.json.id);
  const token = String(filed.json.token);
  const code = await codeFromMail(app, email);
  const verified = await postJson(`${app.url}/api/v1/requests/${id}/verify`, { code }, { 'x-request-token': token });
  assert.equal(verified.status, 200, JSON.stringify(verified.json));
  return { id, token };
}

function rowsOf(table: string, snap: Record<string, Array<Record<string, unknown>>>, uid: string): Array<Record<string, unknown>> {
  const owner: Record<string, string> = { user: 'id', user_profile: 'userId', note: 'userId', note_reaction: 'userId', following: 'followerId', drive_file: 'userId', signin: 'userId', muting: 'muterId', abuse_user_report: 'reporterId' };
  const col = owner[table];
  return (snap[table] ?? []).filter((r) => col !== undefined && r[col] === uid);
}

describe('identity binding: only verified identifiers reach the person\'s data', () => {
  test('own email + another person\'s account id: the disclosure gathers only the requester\'s own rows, and staff see the mismatch', async (t) => {
    const env = await setUp();
    t.after(() => env.close());
    const { app, key } = env;
    const { id } = await fileWithClaim(app, 'disclosure', userEmail(ATTACKER), userId(VICTIM));
    assert.equal((await staffCall(app, key, 'POST', `/api/v1/console/requests/${id}/payment`, { method: 'bank_transfer', reference: 'ﾃｽﾄ ﾀﾛｳ' })).status, 204);
    assert.equal((await staffCall(app, key, 'POST', `/api/v1/console/requests/${id}/gather/systems`)).status, 200);

    const view = await staffCall(app, key, 'GET', `/api/v1/console/requests/${id}`);
    assert.equal(view.status, 200);
    const identity = view.json.identity as { trusted: Array<{ kind: string; value: string; source: string }>; claims: Array<Record<string, unknown>> };
    assert.deepEqual(identity.trusted, [
      { kind: 'email', value: userEmail(ATTACKER), source: 'email_code' },
      { kind: 'account_id', value: userId(ATTACKER), source: 'resolved' },
    ]);
    assert.equal(identity.claims.length, 1);
    assert.deepEqual({ kind: identity.claims[0]?.kind, value: identity.claims[0]?.value, check: identity.claims[0]?.check, resolved: identity.claims[0]?.resolved }, { kind: 'account_id', value: userId(VICTIM), check: 'mismatch', resolved: [userId(ATTACKER)] });

    // What was gathered is exactly what the attacker's own email reaches: the victim's profile and posts are not in it.
    const gathered = await app.service.gatheredForStaff('staff:s1', id);
    const section = gathered.sections.find((s) => s.source === 'connector:misskey_db');
    assert.ok(section);
    const profile = section.groups.find((g) => g.name === 'misskey_db.user_profile');
    assert.deepEqual(profile?.rows.map((r) => r.userId), [userId(ATTACKER)]);
    const text = JSON.stringify(section.groups);
    assert.ok(!text.includes(userEmail(VICTIM)), 'the victim\'s email is not in the gathered data');
    for (const g of section.groups) {
      for (const r of g.rows) {
        for (const col of ['userId', 'followerId', 'muterId', 'reporterId']) if (col in r) assert.notEqual(r[col], userId(VICTIM), `${g.name}.${col} names the victim`);
      }
    }
    const snap = await snapshot(env.fx.conn);
    const expected = ['user_profile', 'note', 'note_reaction', 'following', 'drive_file', 'signin', 'muting', 'abuse_user_report'].reduce((n, tb) => n + rowsOf(tb, snap, userId(ATTACKER)).length, 0) + 1;
    assert.equal(section.groups.reduce((n, g) => n + g.rows.length, 0), expected, 'every row gathered is one of the attacker\'s own');

    // The console says it plainly, in Japanese.
    await createStaffUser(app.store.db, app.clock, { email: 'staff@example.jp', role: 'staff', password: 'correct horse battery staple 42', actor: 'cli' });
    const { jar } = await signIn(app.url, 'staff@example.jp', 'correct horse battery staple 42');
    const page = await (await fetch(`${app.url}/console/requests/${id}`, { headers: { cookie: jar.header(), accept: 'text/html', 'accept-language': 'ja' } })).text();
    assert.match(page, /本人確認と識別子/);
    assert.match(page, new RegExp(`不一致：確認済みの識別子に結び付くのは「${userId(ATTACKER)}」です`));
    assert.match(page, /書類で確認するまで、この識別子でデータを探したり変更したりしません/);
  });

  test('own email + another person\'s account id: an erasure changes only the requester\'s rows', async (t) => {
    const env = await setUp();
    t.after(() => env.close());
    const { app, key } = env;
    const before = await snapshot(env.fx.conn);
    const { id } = await fileWithClaim(app, 'suspension', userEmail(ATTACKER), userId(VICTIM));
    assert.equal((await staffCall(app, key, 'POST', `/api/v1/console/requests/${id}/decision`, { outcome: 'full', measure: 'erased' })).status, 204);
    const after = await snapshot(env.fx.conn);
    for (const table of Object.keys(before)) {
      assert.deepEqual(rowsOf(table, after, userId(VICTIM)), rowsOf(table, before, userId(VICTIM)), `the victim's ${table} rows are unchanged`);
    }
    assert.equal(rowsOf('user_profile', after, userId(ATTACKER))[0]?.email, null, 'the requester\'s own email is erased');
  });

  test('a claim reaches data only once staff confirm it with a reason; the audit keeps the kind, not the value', async (t) => {
    const env = await setUp();
    t.after(() => env.close());
    const { app, key } = env;
    const { id } = await fileWithClaim(app, 'disclosure', userEmail(ATTACKER), userId(VICTIM));
    const noReason = await staffCall(app, key, 'POST', `/api/v1/console/requests/${id}/confirm-claim`, { kind: 'account_id', reason: '  ' });
    assert.equal(noReason.status, 400);
    const unknown = await staffCall(app, key, 'POST', `/api/v1/console/requests/${id}/confirm-claim`, { kind: 'phone', reason: '電話番号を確認' });
    assert.equal((unknown.json.error as { code: string }).code, 'MAMORI_REQUEST_CLAIM_UNKNOWN');
    let view = await app.service.getForStaff('staff:s1', id);
    assert.ok(!view.identity.trusted.some((x) => x.value === userId(VICTIM)), 'an unconfirmed claim is not trusted');

    assert.equal((await staffCall(app, key, 'POST', `/api/v1/console/requests/${id}/confirm-claim`, { kind: 'account_id', reason: '委任状と運転免許証の写しで、アカウント所有者本人と確認' })).status, 204);
    view = await app.service.getForStaff('staff:s1', id);
    assert.ok(view.identity.trusted.some((x) => x.kind === 'account_id' && x.value === userId(VICTIM) && x.source === 'staff_confirmed'));
    assert.match(view.identity.claims[0]?.confirmation?.reason ?? '', /委任状/);
    const audit = await app.store.db.selectFrom('audit_events').select(['action', 'data']).where('target_id', '=', id).where('action', '=', 'request.claim_confirmed').execute();
    assert.equal(audit.length, 1);
    assert.deepEqual(JSON.parse(audit[0]?.data ?? '{}'), { kind: 'account_id', check: 'mismatch', typed_by_staff: false });
    // Confirming again changes nothing.
    assert.equal((await staffCall(app, key, 'POST', `/api/v1/console/requests/${id}/confirm-claim`, { kind: 'account_id', reason: '再確認' })).status, 204);
    assert.equal((await app.store.db.selectFrom('request_identity_confirmations').selectAll().where('request_id', '=', id).execute()).length, 1);
  });

  test('a staff-entered letter: its email is a claim until the identity confirmation also confirms it', async (t) => {
    const env = await setUp();
    t.after(() => env.close());
    const { app } = env;
    const { id } = await app.service.enterRequest('staff:s1', { kind: 'disclosure', channel: 'privacy_email', email: userEmail(3), description: '', lang: 'ja', documents: [] });
    let view = await app.service.getForStaff('staff:s1', id);
    assert.deepEqual(view.identity.trusted, []);
    assert.deepEqual(view.identity.claims.map((c) => [c.kind, c.from]), [['email', 'staff_entry']]);
    await assert.rejects(app.service.confirmIdentity('staff:s1', id, '', { claims: [{ kind: 'email' }] }), { code: 'MAMORI_REQUEST_REASON_REQUIRED' });
    await app.service.confirmIdentity('staff:s1', id, '運転免許証の氏名・住所と登録情報が一致', { claims: [{ kind: 'email' }] });
    view = await app.service.getForStaff('staff:s1', id);
    assert.deepEqual(view.identity.trusted.map((x) => [x.kind, x.value, x.source]), [['email', userEmail(3), 'staff_confirmed'], ['account_id', userId(3), 'resolved']]);
  });
});

describe('no data found for the verified identifiers', () => {
  test('the systems page says no system holds the person\'s data and how to answer under 33条3項', async (t) => {
    const env = await setUp();
    t.after(() => env.close());
    const { app } = env;
    const { id } = await app.service.enterRequest('staff:s1', { kind: 'disclosure', channel: 'privacy_email', email: 'nobody@example.jp', description: '', lang: 'ja', documents: [] });
    await app.service.confirmIdentity('staff:s1', id, '本人確認書類の氏名と申出の氏名が一致', { claims: [{ kind: 'email' }] });
    await app.service.markPaid('staff:s1', id, { method: 'bank_transfer', reference: 'T-0' });
    await createStaffUser(app.store.db, app.clock, { email: 'staff@example.jp', role: 'staff', password: 'correct horse battery staple 42', actor: 'cli' });
    const { jar } = await signIn(app.url, 'staff@example.jp', 'correct horse battery staple 42');
    const page = await (await fetch(`${app.url}/console/requests/${id}/systems`, { headers: { cookie: jar.header(), accept: 'text/html', 'accept-language': 'ja' } })).text();
    assert.match(page, /どのシステムにもこの方のデータは見つかりませんでした/);
    assert.match(page, /33条3項/);
  });
});
