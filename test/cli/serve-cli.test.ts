import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { runMamori } from '../support/cli.ts';
import { signIn } from '../staff/console-helpers.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const MISSKEY = 'examples/misskey-server/policy.yaml';

interface Served {
  url: string;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

/** Starts `mamori serve` as a child process on port 0 and waits until it has printed its start-up message. */
async function serve(args: string[], env: Record<string, string>): Promise<Served> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', ...env };
  for (const name of ['SMTP_URL', 'MAMORI_GRAPH', 'DATABASE_URL', 'MAMORI_SECRET', 'MAMORI_DEMO_DATABASE_URL']) if (!(name in env)) delete childEnv[name];
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [join(root, 'bin', 'mamori.js'), 'serve', '--port', '0', ...args], { cwd: root, env: childEnv });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const waitFor = async (pattern: RegExp, timeoutMs = 30_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const m = out.match(pattern);
      if (m) return m;
      if (child.exitCode !== null) throw new Error(`mamori serve exited (${child.exitCode}):\n${out}`);
      if (Date.now() > until) throw new Error(`timed out waiting for ${pattern}:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    const m = await waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    await waitFor(/Press Ctrl\+C to stop\./);
    return { url: m[1] ?? '', output: () => out, waitFor, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('mamori serve', { concurrency: 2 }, () => {
  test('prints the pages, the staff-account hint, the missing SMTP and the policy\'s lint warnings', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-serve-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const s = await serve(['--policy', MISSKEY], { MAMORI_DATA_DIR: dir });
    t.after(() => s.stop());
    const out = s.output();
    const port = new URL(s.url).port;
    for (const path of ['/privacy', '/privacy-center', '/console']) assert.match(out, new RegExp(`http://localhost:${port}${path}\\b`));
    assert.match(out, /No staff account yet[\s\S]*mamori\.js user add --email you@example\.jp --role admin/);
    assert.match(out, /SMTP_URL is not set[\s\S]*wait in the outbox/);
    assert.match(out, /policy\.yaml:\d+:\d+ appi-37-operator-grounds \(warning\)/);
    assert.match(out, /no dataset graph/);
    assert.ok(!existsSync(join(dir, 'demo-misskey.sqlite')), 'no demo without --demo');
    assert.equal((await fetch(`${s.url}/privacy`)).status, 200);
  });

  test('drops the staff hint once an account exists, and the SMTP warning when SMTP_URL is set', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-serve-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const added = await runMamori(['user', 'add', '--email', 'admin@example.jp', '--role', 'admin'], { env: { MAMORI_DATA_DIR: dir } });
    assert.equal(added.code, 0, added.stderr);
    const s = await serve(['--policy', MISSKEY], { MAMORI_DATA_DIR: dir, SMTP_URL: 'smtp://127.0.0.1:9' });
    t.after(() => s.stop());
    assert.doesNotMatch(s.output(), /No staff account yet/);
    assert.doesNotMatch(s.output(), /SMTP_URL is not set/);
  });

  test('a busy port is one clear line that suggests --port, without a stack trace', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-serve-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const r = await runMamori(['serve', '--policy', MISSKEY, '--port', String(port)], { env: { MAMORI_DATA_DIR: dir, LOG_LEVEL: 'warn' } });
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] ?? '', new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use.*--port ${port + 1}`));
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  test('--demo: a disclosure gathers and an erasure erases in the made-up Misskey database, with no set-up', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-demo-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const key = await runMamori(['apikey', 'add', '--name', 'demo-test', '--role', 'admin'], { env: { MAMORI_DATA_DIR: dir } });
    const apiKey = key.stdout.match(/key: (\S+)/)?.[1] ?? '';
    assert.ok(apiKey, key.stderr);
    const staffPassword = 'demo staff password 2026 ok';
    assert.equal((await runMamori(['user', 'add', '--email', 'staff@example.jp', '--role', 'staff', '--password-stdin'], { env: { MAMORI_DATA_DIR: dir }, stdin: staffPassword })).code, 0);
    const s = await serve(['--policy', MISSKEY, '--demo'], { MAMORI_DATA_DIR: dir });
    t.after(() => s.stop());
    assert.match(s.output(), /DEMO: connectors use a made-up Misskey database/);
    assert.match(s.output(), /hanako@demo\.example\.jp/);
    const staff = (method: 'GET' | 'POST', path: string, body?: unknown) =>
      fetch(`${s.url}${path}`, { method, headers: { authorization: `Bearer ${apiKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

    /** Files a request as a demo person and types the code the demo printed in the terminal. */
    const fileAs = async (kind: string, email: string) => {
      const filed = await postJson(`${s.url}/api/v1/requests`, { kind, email, lang: 'ja' });
      assert.equal(filed.status, 201, JSON.stringify(filed.json));
      const id = String(filed.json.id);
      const mail = await s.waitFor(new RegExp(`--- demo mail to ${email.replace('.', '\\.')}[^]*?(\\d{6})[^]*?--- end of demo mail ---`));
      const verified = await postJson(`${s.url}/api/v1/requests/${id}/verify`, { code: mail[1] }, { 'x-request-token': String(filed.json.token) });
      assert.equal(verified.status, 200, JSON.stringify(verified.json));
      return id;
    };

    // Someone real who tries the demo: their mail waits in the outbox and never reaches the terminal.
    assert.equal((await postJson(`${s.url}/api/v1/requests`, { kind: 'disclosure', email: 'someone.real@example.com', lang: 'ja' })).status, 201);
    const disclosure = await fileAs('disclosure', 'hanako@demo.example.jp');
    assert.equal((await staff('POST', `/api/v1/console/requests/${disclosure}/payment`, { method: 'bank_transfer', reference: 'ﾔﾏﾀﾞ ﾊﾅｺ' })).status, 204);
    assert.equal((await staff('POST', `/api/v1/console/requests/${disclosure}/gather/systems`)).status, 200);
    const view = (await (await staff('GET', `/api/v1/console/requests/${disclosure}`)).json()) as { gathered: Array<{ source: string; rowCount: number; title: { ja: string } }> };
    const section = view.gathered.find((g) => g.source === 'connector:misskey_db');
    assert.ok(section, JSON.stringify(view.gathered));
    assert.ok(section.rowCount >= 10, `hanako's rows were gathered (${section.rowCount})`);
    assert.match(section.title.ja, /デモ/);

    const erasure = await fileAs('suspension', 'taro@demo.example.jp');
    assert.equal((await staff('POST', `/api/v1/console/requests/${erasure}/decision`, { outcome: 'full', measure: 'erased' })).status, 204);
    const db = new SQLite(join(dir, 'demo-misskey.sqlite'), { readonly: true });
    t.after(() => db.close());
    const email = (userId: string) => (db.prepare('select email from user_profile where "userId" = ?').get(userId) as { email: string | null } | undefined)?.email;
    assert.equal(email('demo_taro'), null, 'taro is erased');
    assert.equal(email('demo_hanako'), 'hanako@demo.example.jp', 'other people are untouched');
    assert.equal((db.prepare('select count(*) as n from signin where "userId" = ?').get('demo_taro') as { n: number }).n, 0);

    assert.ok(!s.output().includes('someone.real@example.com'), 'mail outside the demo is not printed');
    const { jar } = await signIn(s.url, 'staff@example.jp', staffPassword);
    const page = await (await fetch(`${s.url}/console`, { headers: { cookie: jar.header(), accept: 'text/html', 'accept-language': 'ja' } })).text();
    assert.match(page, /デモ.*架空の利用者のデモ用データベース/);
  });

  test('--demo is ignored and no demo database is made when the operator gives a graph', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-demo-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const s = await serve(['--policy', MISSKEY, '--demo', '--graph', 'examples/misskey-server/datasets.yaml'], { MAMORI_DATA_DIR: dir });
    t.after(() => s.stop());
    assert.doesNotMatch(s.output(), /DEMO:/);
    assert.match(s.output(), /--demo is ignored/);
    assert.ok(!existsSync(join(dir, 'demo-misskey.sqlite')));
  });
});
