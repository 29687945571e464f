import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeDialects, createTestStore, type TestStore } from '../support/stores.ts';
import { authenticateStaff } from '../../src/staff/staff-users.ts';
import { resolveApiKey } from '../../src/staff/api-keys.ts';
import { createManualClock } from '../../src/clock.ts';
import { runMamori } from '../support/cli.ts';

const mamori = (args: string[], env: Record<string, string>, stdin?: string) =>
  runMamori(args, { env, ...(stdin !== undefined ? { stdin } : {}) }).then((r) => ({ code: r.code, out: r.stdout, err: r.stderr }));

// Each command is a separate process (about 2 s each on this machine): run them on SQLite only. The services they
// call are tested on both databases in console-auth.test.ts.
for (const dialect of storeDialects.filter((d) => d === 'sqlite')) {
  describe(`mamori user / apikey commands on ${dialect}`, () => {
    let store: TestStore;
    let env: Record<string, string>;
    const clock = createManualClock('2026-04-01T00:00:00Z');
    before(async () => {
      store = await createTestStore(dialect);
      env = { DATABASE_URL: store.url, MAMORI_DATA_DIR: mkdtempSync(join(tmpdir(), 'mamori-cli-')) };
    });
    after(async () => store.drop());

    test('user add prints a generated password once, and it signs in; --password-stdin takes the password from stdin', async () => {
      const added = await mamori(['user', 'add', '--email', 'Admin@Example.jp', '--role', 'admin'], env);
      assert.equal(added.code, 0, added.err);
      const password = /password: (\S+)/.exec(added.out)?.[1] ?? '';
      assert.equal(password.length, 20);
      const user = await authenticateStaff(store, clock, { email: 'admin@example.jp', password, ip: '127.0.0.1' });
      assert.equal(user.role, 'admin');

      const piped = await mamori(['user', 'add', '--email', 'desk@example.jp', '--role', 'staff', '--password-stdin'], env, 'a chosen password here\n');
      assert.equal(piped.code, 0, piped.err);
      assert.doesNotMatch(piped.out, /password:/, 'a chosen password is never echoed');
      assert.equal((await authenticateStaff(store, clock, { email: 'desk@example.jp', password: 'a chosen password here', ip: '127.0.0.1' })).role, 'staff');

      const short = await mamori(['user', 'add', '--email', 'x@example.jp', '--role', 'staff', '--password-stdin'], env, 'short\n');
      assert.equal(short.code, 2);
      assert.match(short.err, /at least 12 characters/);
      const dup = await mamori(['user', 'add', '--email', 'admin@example.jp', '--role', 'admin'], env);
      assert.equal(dup.code, 1);
      assert.match(dup.err, /MAMORI_STAFF_EXISTS/);
    });

    test('user list shows accounts without secrets; user disable stops sign-in', async () => {
      const list = await mamori(['user', 'list'], env);
      assert.equal(list.code, 0);
      assert.match(list.out, /admin@example\.jp\tadmin\tactive/);
      assert.doesNotMatch(list.out, /scrypt/);
      assert.equal((await mamori(['user', 'disable', '--email', 'desk@example.jp'], env)).code, 0);
      await assert.rejects(authenticateStaff(store, clock, { email: 'desk@example.jp', password: 'a chosen password here', ip: '127.0.0.2' }), /incorrect/);
    });

    test('apikey add prints the key once; list shows only the prefix; revoke ends it', async () => {
      const added = await mamori(['apikey', 'add', '--name', 'helpdesk', '--role', 'staff'], env);
      assert.equal(added.code, 0, added.err);
      const key = /key: (mk_\S+)/.exec(added.out)?.[1] ?? '';
      const info = await resolveApiKey(store.db, clock, key);
      assert.equal(info?.role, 'staff');
      const list = await mamori(['apikey', 'list'], env);
      assert.ok(list.out.includes(info?.prefix ?? '?'));
      assert.ok(!list.out.includes(key));
      assert.equal((await mamori(['apikey', 'revoke', info?.prefix ?? ''], env)).code, 0);
      assert.equal(await resolveApiKey(store.db, clock, key), undefined);
    });
  });
}
