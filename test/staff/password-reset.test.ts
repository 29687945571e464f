import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createManualClock } from '../../src/clock.ts';
import { verifyAuditChain } from '../../src/audit/audit-log.ts';
import { authenticateStaff, createStaffUser, disableStaffUser, enableStaffUser, resetStaffPassword } from '../../src/staff/staff-users.ts';
import { createTestStore, storeDialects, type TestStore } from '../support/stores.ts';
import { consoleCsrf, signIn, startTestServer, type TestServer } from './console-helpers.ts';
import { runMamori } from '../support/cli.ts';

const PASSWORD = 'a long enough staff password';
const NEW_PASSWORD = 'another long staff password';

for (const dialect of storeDialects) {
  describe(`staff password reset and re-enabling on ${dialect}`, () => {
    const clock = createManualClock('2026-04-01T00:00:00Z');
    let server: TestServer;
    const db = () => server.ctx.store.db;
    const auditOf = (action: string) => db().selectFrom('audit_events').selectAll().where('action', '=', action).orderBy('seq').execute();
    const consoleStatus = async (jar: { header(): string }) => (await fetch(`${server.url}/console`, { redirect: 'manual', headers: { cookie: jar.header() } })).status;

    before(async () => {
      server = await startTestServer(dialect, { clock });
      for (const [email, role] of [['admin@example.jp', 'admin'], ['officer@example.jp', 'officer'], ['desk@example.jp', 'staff'], ['leaver@example.jp', 'auditor']] as const) {
        await createStaffUser(db(), clock, { email, role, password: PASSWORD, actor: 'cli' });
      }
    });
    after(async () => server.stop());

    test('a reset replaces the password, ends every open session, lifts the sign-in throttle and is audited without the password', async () => {
      const first = await signIn(server.url, 'desk@example.jp', PASSWORD);
      const second = await signIn(server.url, 'desk@example.jp', PASSWORD);
      assert.equal(await consoleStatus(first.jar), 200);
      const tryPassword = (password: string) => authenticateStaff(server.ctx.store, clock, { email: 'desk@example.jp', password, ip: '192.0.2.51' });
      for (let i = 0; i < 8; i++) await assert.rejects(authenticateStaff(server.ctx.store, clock, { email: 'desk@example.jp', password: `wrong password ${i}`, ip: '192.0.2.50' }), { code: 'MAMORI_AUTH_FAILED' });
      await assert.rejects(tryPassword(PASSWORD), { code: 'MAMORI_RATE_LIMITED' }, 'throttled for the email before the reset');

      const { user, sessionsEnded } = await resetStaffPassword(db(), clock, 'Desk@Example.jp', { password: NEW_PASSWORD, actor: 'cli' });
      assert.equal(user.email, 'desk@example.jp');
      assert.equal(sessionsEnded, 2);
      assert.equal(await consoleStatus(first.jar), 401);
      assert.equal(await consoleStatus(second.jar), 401);
      await assert.rejects(tryPassword(PASSWORD), { code: 'MAMORI_AUTH_FAILED' });
      assert.equal((await tryPassword(NEW_PASSWORD)).email, 'desk@example.jp', 'the new password signs in at once');
      assert.equal((await signIn(server.url, 'desk@example.jp', NEW_PASSWORD)).res.status, 303);

      const events = await auditOf('staff.password_reset');
      assert.equal(events.length, 1);
      assert.equal(events[0]?.actor, 'cli');
      assert.equal(events[0]?.target_id, user.id);
      assert.ok(!events[0]?.data.includes(NEW_PASSWORD) && !events[0]?.data.includes('@'));
      assert.equal((await verifyAuditChain(db())).ok, true);
    });

    test('a too short password or an unknown account changes nothing', async () => {
      await assert.rejects(resetStaffPassword(db(), clock, 'officer@example.jp', { password: 'short', actor: 'cli' }), { code: 'MAMORI_STAFF_INVALID', message: /at least 12 characters/ });
      await assert.rejects(resetStaffPassword(db(), clock, 'nobody@example.jp', { password: NEW_PASSWORD, actor: 'cli' }), { code: 'MAMORI_STAFF_NOT_FOUND' });
      assert.equal((await authenticateStaff(server.ctx.store, clock, { email: 'officer@example.jp', password: PASSWORD, ip: '192.0.2.2' })).role, 'officer');
      assert.equal((await auditOf('staff.password_reset')).length, 1);
    });

    test('a disabled account can be enabled again, once, and signs in with its password', async () => {
      await disableStaffUser(db(), clock, 'leaver@example.jp', 'cli');
      assert.equal((await signIn(server.url, 'leaver@example.jp', PASSWORD)).res.status, 401);
      const enabled = await enableStaffUser(db(), clock, 'leaver@example.jp', 'cli');
      assert.equal(enabled.changed, true);
      assert.equal(enabled.user.disabled, false);
      assert.equal((await signIn(server.url, 'leaver@example.jp', PASSWORD)).res.status, 303);
      assert.equal((await enableStaffUser(db(), clock, 'leaver@example.jp', 'cli')).changed, false);
      const events = await auditOf('staff.enabled');
      assert.deepEqual(events.map((e) => [e.actor, e.target_id]), [['cli', enabled.user.id]]);
      await assert.rejects(enableStaffUser(db(), clock, 'nobody@example.jp', 'cli'), { code: 'MAMORI_STAFF_NOT_FOUND' });
    });

    test('an admin resets a staff password in the console: shown once, CSRF-protected, admins only, not their own', async () => {
      const officerId = (await db().selectFrom('staff_users').select('id').where('email', '=', 'officer@example.jp').executeTakeFirstOrThrow()).id;
      const adminId = (await db().selectFrom('staff_users').select('id').where('email', '=', 'admin@example.jp').executeTakeFirstOrThrow()).id;
      const officer = await signIn(server.url, 'officer@example.jp', PASSWORD);
      const admin = await signIn(server.url, 'admin@example.jp', PASSWORD);
      const csrf = await consoleCsrf(server.url, admin.jar, '/console/staff');
      const post = (jar: { header(): string }, path: string, body: Record<string, string>) =>
        fetch(`${server.url}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', 'accept-language': 'ja' }, body: new URLSearchParams(body) });

      const staffPage = await (await fetch(`${server.url}/console/staff`, { headers: { cookie: admin.jar.header() } })).text();
      assert.ok(staffPage.includes(`/console/staff/users/${officerId}/reset-password`));
      assert.ok(!staffPage.includes(`/console/staff/users/${adminId}/reset-password`), 'no reset button on the admin\'s own row');

      const noCsrf = await post(admin.jar, `/console/staff/users/${officerId}/reset-password`, {});
      assert.equal(noCsrf.status, 403);
      assert.match(await noCsrf.text(), /MAMORI_CSRF_INVALID/);
      assert.equal(await consoleStatus(officer.jar), 200, 'nothing happened without the token');
      const officerCsrf = await consoleCsrf(server.url, officer.jar);
      assert.equal((await post(officer.jar, `/console/staff/users/${adminId}/reset-password`, { _csrf: officerCsrf })).status, 403, 'an officer cannot reset passwords');
      assert.equal((await post(admin.jar, `/console/staff/users/${adminId}/reset-password`, { _csrf: csrf })).status, 400, 'not one\'s own here');

      const done = await post(admin.jar, `/console/staff/users/${officerId}/reset-password`, { _csrf: csrf });
      assert.equal(done.status, 200);
      assert.equal(done.headers.get('cache-control'), 'no-store');
      const page = await done.text();
      assert.match(page, /パスワードを再設定し、サインイン中のセッションを終了しました/);
      const password = /<code>([^<]+)<\/code>/.exec(page)?.[1] ?? '';
      assert.equal(password.length, 20);
      assert.equal(await consoleStatus(officer.jar), 401, 'the officer\'s session ended');
      assert.equal((await signIn(server.url, 'officer@example.jp', PASSWORD)).res.status, 401);
      assert.equal((await signIn(server.url, 'officer@example.jp', password)).res.status, 303);
      const again = await (await fetch(`${server.url}/console/staff`, { headers: { cookie: admin.jar.header() } })).text();
      assert.ok(!again.includes(password), 'never shown again');
      const events = await auditOf('staff.password_reset');
      assert.equal(events.at(-1)?.actor, `staff:${adminId}`);
      assert.equal(events.at(-1)?.target_id, officerId);

      // A disabled account gets an enable button instead of disable.
      await disableStaffUser(db(), clock, 'leaver@example.jp', 'cli');
      const leaverId = (await db().selectFrom('staff_users').select('id').where('email', '=', 'leaver@example.jp').executeTakeFirstOrThrow()).id;
      assert.ok((await (await fetch(`${server.url}/console/staff`, { headers: { cookie: admin.jar.header() } })).text()).includes(`/console/staff/users/${leaverId}/enable`));
      assert.equal((await post(admin.jar, `/console/staff/users/${leaverId}/enable`, { _csrf: csrf })).status, 303);
      assert.equal((await signIn(server.url, 'leaver@example.jp', PASSWORD)).res.status, 303);
    });
  });
}

const mamori = (args: string[], env: Record<string, string>, stdin?: string) =>
  runMamori(args, { env, ...(stdin !== undefined ? { stdin } : {}) }).then((r) => ({ code: r.code, out: r.stdout, err: r.stderr }));

// Each command is its own process (seconds each): SQLite only; the services are tested on both stores above.
describe('mamori user reset-password / enable on sqlite', () => {
  let store: TestStore;
  let env: Record<string, string>;
  const clock = createManualClock('2026-04-01T00:00:00Z');
  before(async () => {
    store = await createTestStore('sqlite');
    env = { DATABASE_URL: store.url, MAMORI_DATA_DIR: mkdtempSync(join(tmpdir(), 'mamori-cli-')) };
    await createStaffUser(store.db, clock, { email: 'desk@example.jp', role: 'staff', password: PASSWORD, actor: 'cli' });
  });
  after(async () => store.drop());

  test('reset-password prints a generated password once; --password-stdin takes it from stdin without echoing it', async () => {
    const generated = await mamori(['user', 'reset-password', '--email', 'desk@example.jp'], env);
    assert.equal(generated.code, 0, generated.err);
    const password = /password: (\S+)/.exec(generated.out)?.[1] ?? '';
    assert.equal(password.length, 20);
    assert.equal((await authenticateStaff(store, clock, { email: 'desk@example.jp', password, ip: '127.0.0.1' })).role, 'staff');

    const piped = await mamori(['user', 'reset-password', '--email', 'desk@example.jp', '--password-stdin'], env, `${NEW_PASSWORD}\n`);
    assert.equal(piped.code, 0, piped.err);
    assert.doesNotMatch(piped.out, /password:|another long/);
    assert.equal((await authenticateStaff(store, clock, { email: 'desk@example.jp', password: NEW_PASSWORD, ip: '127.0.0.1' })).role, 'staff');

    const unknown = await mamori(['user', 'reset-password', '--email', 'nobody@example.jp', '--password-stdin'], env, `${NEW_PASSWORD}\n`);
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /MAMORI_STAFF_NOT_FOUND/);
    const actors = await store.db.selectFrom('audit_events').select('actor').where('action', '=', 'staff.password_reset').execute();
    assert.deepEqual(actors.map((a) => a.actor), ['cli', 'cli']);
  });

  test('enable turns a disabled account back on', async () => {
    await disableStaffUser(store.db, clock, 'desk@example.jp', 'cli');
    const enabled = await mamori(['user', 'enable', '--email', 'desk@example.jp'], env);
    assert.equal(enabled.code, 0, enabled.err);
    assert.match(enabled.out, /enabled desk@example\.jp/);
    assert.equal((await authenticateStaff(store, clock, { email: 'desk@example.jp', password: NEW_PASSWORD, ip: '127.0.0.1' })).disabled, false);
    assert.equal((await mamori(['user', 'enable'], env)).code, 2, '--email is required');
  });
});
