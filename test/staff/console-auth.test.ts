import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '../../src/clock.ts';
import { createStaffUser, disableStaffUser } from '../../src/staff/staff-users.ts';
import { createApiKey, revokeApiKey } from '../../src/staff/api-keys.ts';
import { storeDialects } from '../support/stores.ts';
import { consoleCsrf, signIn, startTestServer, type TestServer } from './console-helpers.ts';

const PASSWORD = 'a long enough staff password';

for (const dialect of storeDialects) {
  describe(`staff console authentication on ${dialect}`, () => {
    const clock = createManualClock('2026-04-01T00:00:00Z');
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect, { clock });
      for (const [email, role] of [['officer@example.jp', 'officer'], ['auditor@example.jp', 'auditor'], ['staff@example.jp', 'staff']] as const) {
        await createStaffUser(server.ctx.store.db, clock, { email, role, password: PASSWORD, actor: 'cli' });
      }
    });
    after(async () => server.stop());

    test('signs in with the right password into an httpOnly SameSite=Strict session whose token is stored only hashed', async () => {
      const { jar, res } = await signIn(server.url, 'Officer@Example.jp', PASSWORD);
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), '/console');
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('mamori_staff='));
      assert.ok(cookie);
      assert.match(cookie, /HttpOnly/i);
      assert.match(cookie, /SameSite=Strict/i);
      assert.doesNotMatch(cookie, /Secure/i, 'plain http base URL: no Secure flag');
      const token = jar.cookies.get('mamori_staff') ?? '';
      const rows = await server.ctx.store.db.selectFrom('staff_sessions').select('token_hash').execute();
      assert.ok(rows.length >= 1);
      assert.ok(rows.every((r) => r.token_hash !== token && /^[0-9a-f]{64}$/.test(r.token_hash)));
      const page = await fetch(`${server.url}/console`, { headers: { cookie: jar.header(), accept: 'text/html', 'accept-language': 'ja' } });
      assert.equal(page.status, 200);
      const text = await page.text();
      assert.match(text, /officer@example\.jp/);
      assert.match(text, /サインアウト/);
      assert.match(text, /監査ログ/, 'officers see the audit log link');
    });

    test('refuses a wrong password with the same message as an unknown email', async () => {
      const wrong = await signIn(server.url, 'officer@example.jp', 'not the password at all');
      const unknown = await signIn(server.url, 'nobody@example.jp', 'not the password at all');
      assert.equal(wrong.res.status, 401);
      assert.equal(unknown.res.status, 401);
      const [a, b] = [await wrong.res.text(), await unknown.res.text()];
      assert.match(a, /メールアドレスまたはパスワードが正しくありません/);
      assert.match(a, /MAMORI_AUTH_FAILED/);
      assert.equal(a.replace(/value="[^"]*"/g, ''), b.replace(/value="[^"]*"/g, ''));
      assert.equal(wrong.jar.cookies.has('mamori_staff'), false);
    });

    test('sends a browser without a session to sign-in, and answers an API client 401 MAMORI_AUTH_REQUIRED', async () => {
      const html = await fetch(`${server.url}/console/requests/new`, { redirect: 'manual', headers: { accept: 'text/html' } });
      assert.equal(html.status, 303);
      assert.equal(html.headers.get('location'), '/console/login?next=%2Fconsole%2Frequests%2Fnew');
      const json = await fetch(`${server.url}/console`, { redirect: 'manual' });
      assert.equal(json.status, 401);
      assert.equal(((await json.json()) as { error: { code: string } }).error.code, 'MAMORI_AUTH_REQUIRED');
    });

    test('refuses a console form posted without its CSRF token (403 MAMORI_CSRF_INVALID) and accepts it with the token', async () => {
      const { jar } = await signIn(server.url, 'staff@example.jp', PASSWORD);
      const forged = await fetch(`${server.url}/console/logout`, { method: 'POST', redirect: 'manual', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      assert.equal(forged.status, 403);
      assert.equal(((await forged.json()) as { error: { code: string } }).error.code, 'MAMORI_CSRF_INVALID');
      const wrongToken = await fetch(`${server.url}/console/logout`, { method: 'POST', redirect: 'manual', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, body: '_csrf=AAAA' });
      assert.equal(wrongToken.status, 403);
      const csrf = await consoleCsrf(server.url, jar);
      const ok = await fetch(`${server.url}/console/logout`, { method: 'POST', redirect: 'manual', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf }) });
      assert.equal(ok.status, 303);
      const afterLogout = await fetch(`${server.url}/console`, { redirect: 'manual', headers: { cookie: jar.header(), accept: 'text/html' } });
      assert.equal(afterLogout.status, 303, 'the old cookie no longer opens the console');
    });

    test('enforces roles: an auditor cannot open the request entry form (403 MAMORI_FORBIDDEN) and has no link to it', async () => {
      const { jar } = await signIn(server.url, 'auditor@example.jp', PASSWORD);
      const res = await fetch(`${server.url}/console/requests/new`, { headers: { cookie: jar.header() } });
      assert.equal(res.status, 403);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'MAMORI_FORBIDDEN');
      const queue = await (await fetch(`${server.url}/console`, { headers: { cookie: jar.header(), accept: 'text/html' } })).text();
      assert.doesNotMatch(queue, /href="\/console\/requests\/new"/);
      const staff = await signIn(server.url, 'staff@example.jp', PASSWORD);
      assert.equal((await fetch(`${server.url}/console/requests/new`, { headers: { cookie: staff.jar.header() } })).status, 200);
    });

    test('ends a session after two idle hours', async () => {
      const { jar } = await signIn(server.url, 'officer@example.jp', PASSWORD);
      clock.advance(90 * 60_000);
      assert.equal((await fetch(`${server.url}/console`, { redirect: 'manual', headers: { cookie: jar.header() } })).status, 200, 'activity within the idle window');
      clock.advance(90 * 60_000);
      assert.equal((await fetch(`${server.url}/console`, { redirect: 'manual', headers: { cookie: jar.header() } })).status, 200, 'the last visit renewed the idle window');
      clock.advance(2 * 60 * 60_000 + 1000);
      assert.equal((await fetch(`${server.url}/console`, { redirect: 'manual', headers: { cookie: jar.header() } })).status, 401);
    });

    test('ends a session twelve hours after sign-in, however active', async () => {
      const { jar } = await signIn(server.url, 'officer@example.jp', PASSWORD);
      for (let i = 0; i < 7; i++) {
        clock.advance(100 * 60_000);
        assert.equal((await fetch(`${server.url}/console`, { redirect: 'manual', headers: { cookie: jar.header() } })).status, 200, `still signed in after ${(i + 1) * 100} minutes`);
      }
      clock.advance(100 * 60_000);
      assert.equal((await fetch(`${server.url}/console`, { redirect: 'manual', headers: { cookie: jar.header() } })).status, 401);
    });

    test('a CSRF token works only with the session it was issued for', async () => {
      const a = await signIn(server.url, 'officer@example.jp', PASSWORD);
      const b = await signIn(server.url, 'staff@example.jp', PASSWORD);
      const tokenOfA = await consoleCsrf(server.url, a.jar);
      const res = await fetch(`${server.url}/console/logout`, { method: 'POST', redirect: 'manual', headers: { cookie: b.jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: tokenOfA }) });
      assert.equal(res.status, 403);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'MAMORI_CSRF_INVALID');
    });

    test('disabling an account ends its open sessions', async () => {
      const { jar } = await signIn(server.url, 'auditor@example.jp', PASSWORD);
      assert.equal((await fetch(`${server.url}/console`, { redirect: 'manual', headers: { cookie: jar.header() } })).status, 200);
      await disableStaffUser(server.ctx.store.db, clock, 'auditor@example.jp', 'cli');
      assert.equal((await fetch(`${server.url}/console`, { redirect: 'manual', headers: { cookie: jar.header() } })).status, 401);
    });

    test('throttles sign-in after repeated failures for one email, even with the right password', async () => {
      for (let i = 0; i < 8; i++) assert.equal((await signIn(server.url, 'staff@example.jp', `wrong password ${i}`)).res.status, 401);
      const blocked = await signIn(server.url, 'staff@example.jp', PASSWORD);
      assert.equal(blocked.res.status, 429);
      assert.match(await blocked.res.text(), /15分/);
      clock.advance(16 * 60_000);
      assert.equal((await signIn(server.url, 'staff@example.jp', PASSWORD)).res.status, 303, 'the window passes');
    });

    test('API keys: a valid key acts with its role, a wrong or revoked key gets 401 MAMORI_API_KEY_INVALID', async () => {
      const { key, info } = await createApiKey(server.ctx.store.db, clock, { name: 'helpdesk', role: 'staff', actor: 'cli' });
      assert.match(key, /^mk_[0-9a-f]{8}_/);
      const stored = await server.ctx.store.db.selectFrom('api_keys').select(['key_hash', 'prefix']).where('id', '=', info.id).executeTakeFirstOrThrow();
      assert.ok(!key.includes(stored.key_hash) && stored.key_hash !== key);
      const me = await fetch(`${server.url}/api/v1/console/me`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(me.status, 200);
      assert.deepEqual(await me.json(), { staff: { id: info.id, email: `apikey:${info.prefix}`, role: 'staff', via: 'api_key' } });
      const used = await server.ctx.store.db.selectFrom('api_keys').select('last_used_at').where('id', '=', info.id).executeTakeFirstOrThrow();
      assert.equal(used.last_used_at, clock.now().toISOString());
      const tampered = `${key.slice(0, -2)}${key.endsWith('AA') ? 'BB' : 'AA'}`;
      for (const auth of [`Bearer ${tampered}`, 'Bearer nonsense', '']) {
        const res = await fetch(`${server.url}/api/v1/console/me`, { headers: auth ? { authorization: auth } : {} });
        assert.equal(res.status, 401);
        assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'MAMORI_API_KEY_INVALID');
      }
      await revokeApiKey(server.ctx.store.db, clock, info.prefix, 'cli');
      assert.equal((await fetch(`${server.url}/api/v1/console/me`, { headers: { authorization: `Bearer ${key}` } })).status, 401);
    });
  });
}

test('marks the session cookie Secure when the base URL is https', async () => {
  const server = await startTestServer('sqlite', { config: { baseUrl: 'https://privacy.example.jp' } });
  try {
    await createStaffUser(server.ctx.store.db, server.ctx.clock, { email: 'admin@example.jp', role: 'admin', password: PASSWORD, actor: 'cli' });
    const { res } = await signIn(server.url, 'admin@example.jp', PASSWORD);
    assert.equal(res.status, 303);
    assert.match(res.headers.getSetCookie().find((c) => c.startsWith('mamori_staff=')) ?? '', /; Secure/);
  } finally {
    await server.stop();
  }
});

test('an admin adds a staff member and an API key in the console; each secret is shown once and works; others cannot open the page', async () => {
  const server = await startTestServer('sqlite');
  try {
    await createStaffUser(server.ctx.store.db, server.ctx.clock, { email: 'admin@example.jp', role: 'admin', password: PASSWORD, actor: 'cli' });
    await createStaffUser(server.ctx.store.db, server.ctx.clock, { email: 'officer@example.jp', role: 'officer', password: PASSWORD, actor: 'cli' });
    const admin = await signIn(server.url, 'admin@example.jp', PASSWORD);
    const csrf = await consoleCsrf(server.url, admin.jar, '/console/staff');
    const post = (path: string, body: Record<string, string>) =>
      fetch(`${server.url}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie: admin.jar.header(), 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body: new URLSearchParams({ _csrf: csrf, ...body }) });

    const added = await post('/console/staff/users', { email: 'new@example.jp', role: 'auditor' });
    assert.equal(added.status, 201);
    const password = /<code>([^<]+)<\/code>/.exec(await added.text())?.[1] ?? '';
    assert.equal(password.length, 20);
    assert.equal((await signIn(server.url, 'new@example.jp', password)).res.status, 303, 'the shown password signs in');
    const again = await (await fetch(`${server.url}/console/staff`, { headers: { cookie: admin.jar.header() } })).text();
    assert.ok(!again.includes(password), 'never shown again');

    const keyed = await post('/console/staff/keys', { name: 'helpdesk', role: 'staff' });
    assert.equal(keyed.status, 201);
    const key = /<code>(mk_[^<]+)<\/code>/.exec(await keyed.text())?.[1] ?? '';
    assert.equal((await fetch(`${server.url}/api/v1/console/me`, { headers: { authorization: `Bearer ${key}` } })).status, 200);
    const keyId = (await server.ctx.store.db.selectFrom('api_keys').select('id').executeTakeFirstOrThrow()).id;
    assert.equal((await post(`/console/staff/keys/${keyId}/revoke`, {})).status, 303);
    assert.equal((await fetch(`${server.url}/api/v1/console/me`, { headers: { authorization: `Bearer ${key}` } })).status, 401);

    const officer = await signIn(server.url, 'officer@example.jp', PASSWORD);
    assert.equal((await fetch(`${server.url}/console/staff`, { headers: { cookie: officer.jar.header() } })).status, 403);
  } finally {
    await server.stop();
  }
});
