import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SqlEngine } from '../../src/connectors/graph-schema.ts';
import { scanDatabase } from '../../src/connectors/scan/scan-database.ts';
import { parseGraph } from '../../src/connectors/load-graph.ts';
import { createFixtureDb, seedFediverse, type FixtureDb } from '../fixtures/fediverse/fediverse-fixture.ts';
import { strFromU8, strToU8, unzipSync } from 'fflate';
import { openSqlConnection } from '../../src/connectors/sql/open-sql-connection.ts';
import { runMamori } from '../support/cli.ts';

const run = promisify(execFile);
const SECRET_VALUES = ['090-1111-2222', '123456789018', '4111111111111111', '150-0001', '山田 太郎'];

async function withContacts(engine: SqlEngine): Promise<FixtureDb> {
  const fx = await createFixtureDb(engine);
  await seedFediverse(fx.conn, 3);
  const q = (s: string) => (engine === 'mysql' ? s.replaceAll('"', '`') : s);
  await fx.conn.query(q(`create table contact (id varchar(32) not null primary key, "ownerId" varchar(32) not null, tel varchar(32), my_no varchar(16), card varchar(32), zip varchar(10), full_name varchar(64), foreign key ("ownerId") references "user"(id))`));
  await fx.conn.query(q(`insert into contact values ('c1', 'u1', ?, ?, ?, ?, ?), ('c2', 'u2', '03-1234-5678', '000000000019', '5555 5555 5555 4444', '100-0005', 'ヤマダ ハナコ'), ('c3', 'u3', '+81 80 1234 5678', '111111111118', '4242424242424242', '060-0000', '佐藤 花子')`), SECRET_VALUES);
  return fx;
}

describe('mamori scan', () => {
  for (const engine of ['postgres', 'mysql', 'sqlite'] as const) {
    it(`detects personal data by values and names on ${engine}`, async (t) => {
      const fx = await withContacts(engine);
      t.after(() => fx.drop());
      const tables = await scanDatabase(fx.conn, engine);
      const contact = tables.find((x) => x.name === 'contact');
      const cats = Object.fromEntries(contact?.columns.map((c) => [c.name, [c.category, c.evidence?.by]]) ?? []);
      assert.deepEqual(cats, { id: [undefined, undefined], ownerId: [undefined, undefined], tel: ['phone', 'values'], my_no: ['my_number', 'values'], card: ['payment_card', 'values'], zip: ['postal_address', 'values'], full_name: ['name', 'values'] });
      const profile = tables.find((x) => x.name === 'user_profile');
      assert.equal(profile?.columns.find((c) => c.name === 'email')?.category, 'email');
      assert.equal(profile?.columns.find((c) => c.name === 'birthday')?.category, 'birthdate');
      assert.equal(tables.find((x) => x.name === 'signin')?.columns.find((c) => c.name === 'ip')?.category, 'ip_address');
      const ref = contact?.columns.find((c) => c.name === 'ownerId')?.references;
      assert.deepEqual({ table: ref?.table, column: ref?.column, byConvention: ref?.byConvention }, { table: 'user', column: 'id', byConvention: undefined });
      assert.equal(ref?.onDelete, engine === 'mysql' ? 'restrict' : 'no_action', 'the delete rule is read from the catalog');
    });
  }

  it('reports drift against the policy with exit 1, writes a loadable draft and never prints sampled values', async (t) => {
    const fx = await withContacts('postgres');
    const dir = mkdtempSync(join(tmpdir(), 'mamori-scan-'));
    t.after(async () => {
      await fx.drop();
      rmSync(dir, { recursive: true, force: true });
    });
    const out = join(dir, 'draft.yaml');
    const r = await run(process.execPath, ['bin/mamori.js', 'scan', fx.url, '--policy', 'examples/misskey-server/policy.yaml', '--out', out, '--url-env', 'MISSKEY_DATABASE_URL']).then(
      (x) => ({ code: 0, ...x }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    assert.equal(r.code, 1);
    assert.match(r.stdout, /my_no: my_number \(values 3\/3 look like my_number\) — not declared in the policy/);
    assert.match(r.stdout, /tel: phone .* not declared/);
    assert.doesNotMatch(r.stdout, /email: email .* not declared/, 'declared categories are not drift');
    for (const v of [...SECRET_VALUES, 'user1@example.jp', '192.0.2.1']) assert.ok(!r.stdout.includes(v) && !r.stderr.includes(v), 'a sampled value was printed');
    const draft = parseGraph(readFileSync(out, 'utf8'), out);
    assert.ok(draft.ok, draft.ok ? '' : JSON.stringify(draft.issues));
    const cols = draft.loaded.graph.datasets[0]?.collections.map((c) => c.name).sort();
    assert.ok(cols?.includes('contact') && cols.includes('signin') && cols.includes('note'));
  });
});

it('drafts a tiny SQLite app so that it runs unedited: posts with their text, only the person\'s likes, secrets never disclosed, no cascade into other people\'s likes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-tiny-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const app = join(dir, 'app.db');
  const db = openSqlConnection('sqlite', `sqlite:${app}`);
  for (const s of [
    'create table accounts (id integer primary key, email text not null, password_hash text not null, emailVerified integer not null default 0)',
    'create table posts (id integer primary key, account_id integer not null references accounts(id) on delete cascade, body text, reply_to integer references posts(id) on delete set null)',
    'create table likes (id integer primary key, account_id integer not null references accounts(id) on delete cascade, post_id integer not null references posts(id) on delete cascade)',
  ]) await db.query(s);
  for (let i = 1; i <= 6; i++) await db.query('insert into accounts (id, email, password_hash) values (?, ?, ?)', [i, `user${i}@example.jp`, `$argon2id$v=19$m=65536$secret${i}`]);
  for (let i = 1; i <= 6; i++) await db.query('insert into posts (id, account_id, body, reply_to) values (?, ?, ?, ?), (?, ?, ?, null)', [10 * i, i, `はじめての投稿 ${i}`, i > 1 ? 10 * (i - 1) : null, 10 * i + 1, i, `二つ目 ${i}`]);
  for (let i = 1; i <= 6; i++) await db.query('insert into likes (id, account_id, post_id) values (?, ?, ?)', [i, i, 10 * ((i % 6) + 1)]);
  await db.close();
  const env = { APP_DATABASE_URL: `sqlite:${app}`, DATABASE_URL: `sqlite:${join(dir, 'mamori.sqlite')}`, MAMORI_DATA_DIR: dir };
  const draft = join(dir, 'draft.yaml');
  const scan = await runMamori(['scan', `sqlite:${app}`, '--out', draft], { env });
  assert.ok(scan.code === 0 || scan.code === 1, scan.stderr);
  const text = readFileSync(draft, 'utf8');
  assert.doesNotMatch(text, /name: emailVerified\n\s+identity/, 'a boolean named like an address is no identity');
  assert.equal((await runMamori(['lint', 'test/fixtures/real-schemas/policy.yaml', '--graph', draft], { env })).code, 0);
  const pkg = join(dir, 'pkg.zip');
  const access = await runMamori(['dsr', 'access', '--graph', draft, '--identity', 'email=user3@example.jp', '--out', pkg], { env });
  assert.equal(access.code, 0, access.stdout);
  const files = unzipSync(new Uint8Array(readFileSync(pkg)));
  const read = (name: string) => JSON.parse(strFromU8(files[Object.keys(files).find((k) => k.endsWith(`.${name}.json`)) ?? ''] ?? strToU8('[]'))) as Array<Record<string, unknown>>;
  assert.deepEqual(read('posts').map((p) => p.body).sort(), ['はじめての投稿 3', '二つ目 3'], 'the person\'s posts with their text');
  assert.deepEqual(read('likes').map((l) => l.account_id), [3], 'only the person\'s own like, not others\' likes of their posts');
  assert.equal(read('accounts')[0]?.password_hash, undefined, 'a password hash is never disclosed');
  const erase = await runMamori(['dsr', 'erase', '--graph', draft, '--identity', 'email=user3@example.jp'], { env });
  assert.equal(erase.code, 0, erase.stdout);
  const after = openSqlConnection('sqlite', `sqlite:${app}`);
  t.after(() => after.close());
  assert.equal((await after.query('select count(*) as n from likes')).rows[0]?.n, 5, 'other people\'s likes of the person\'s posts are kept');
  assert.equal((await after.query('select reply_to from posts where id = 40')).rows[0]?.reply_to, 30, 'a reply to the person\'s post keeps its link');
  assert.equal((await after.query(`select count(*) as n from posts where body like '%投稿 3' or body like '%目 3'`)).rows[0]?.n, 0, 'the person\'s text is gone');
  assert.equal((await after.query(`select count(*) as n from accounts where email = 'user3@example.jp'`)).rows[0]?.n, 0);
});
