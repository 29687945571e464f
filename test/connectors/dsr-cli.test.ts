import { it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { unzipSync, strFromU8 } from 'fflate';
import { dsrCommand } from '../../src/cli/commands/dsr.ts';
import { openStore } from '../../src/store/store.ts';
import { loadGraphFile } from '../../src/connectors/load-graph.ts';
import { createConnectorService } from '../../src/connectors/connector-service.ts';
import { systemClock } from '../../src/clock.ts';
import { parseSecret } from '../../src/config.ts';
import { createFixtureDb, seedFediverse, snapshot, userEmail, userId } from '../fixtures/fediverse/fediverse-fixture.ts';

const run = promisify(execFile);
const GRAPH = 'examples/misskey-server/datasets.yaml';

it('mamori dsr runs access, dry-run erasure, erasure and correction and prints only counts', async (t) => {
  const fx = await createFixtureDb('postgres');
  const dir = mkdtempSync(join(tmpdir(), 'mamori-dsr-'));
  t.after(async () => {
    await fx.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  await seedFediverse(fx.conn, 3);
  const env = { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'mamori.sqlite')}`, MAMORI_DATA_DIR: dir, MISSKEY_DATABASE_URL: fx.url };
  const dsr = (...args: string[]) => run(process.execPath, ['bin/mamori.js', 'dsr', ...args], { env });

  const pkg = join(dir, 'pkg.zip');
  const access = await dsr('access', '--graph', GRAPH, '--identity', `email=${userEmail(2)}`, '--out', pkg);
  assert.match(access.stdout, /misskey_db: done 12/);
  assert.match(access.stderr, /1\/1 misskey_db done 12/, 'plain progress lines when not on a terminal');
  assert.ok(!access.stdout.includes(userEmail(2)) && !access.stderr.includes(userEmail(2)), 'no personal data printed');
  const files = unzipSync(new Uint8Array(readFileSync(pkg)));
  const signins = JSON.parse(strFromU8(files['misskey_db.signin.json'] ?? new Uint8Array())) as Array<{ userId: string }>;
  assert.deepEqual(signins.map((s) => s.userId), [userId(2), userId(2)]);

  const dry = await dsr('erase', '--graph', GRAPH, '--identity', `account_id=${userId(2)}`, '--dry-run');
  assert.match(dry.stdout, /\(dry run\): done/);
  assert.match(dry.stdout, /note: done 3 \(dry run: mask\)/);
  assert.equal((await snapshot(fx.conn)).signin?.length, 6);

  const fix = await dsr('correct', '--graph', GRAPH, '--identity', `email=${userEmail(1)}`, '--set', 'user.name=訂正後');
  assert.match(fix.stdout, /corrected misskey_db.user.name: 1 row/);

  const erase = await dsr('erase', '--graph', GRAPH, '--identity', `email=${userEmail(2)}`);
  assert.match(erase.stdout, /signin: done 2/);
  const snap = await snapshot(fx.conn);
  assert.equal(snap.signin?.length, 4);
  assert.equal(snap.user?.find((u) => u.id === userId(1))?.name, '訂正後');

  // A run queued by a server is picked up by a separate worker process.
  const store = await openStore(env.DATABASE_URL);
  const g = loadGraphFile(GRAPH);
  assert.ok(g.ok);
  const svc = createConnectorService({ store, clock: systemClock, graph: g.loaded.graph, secret: parseSecret(readFileSync(join(dir, 'secret.key'), 'utf8').trim()), env: {}, baseUrl: 'http://localhost' });
  const queued = await svc.queueRun({ kind: 'suspend', identities: { account_id: userId(3) } });
  const work = await run(process.execPath, ['bin/mamori.js', 'dsr', 'work', '--graph', GRAPH, '--once'], { env });
  assert.match(work.stdout, /1 run\(s\) processed/);
  assert.equal((await svc.report(queued)).status, 'done');
  await store.close();
  assert.equal((await snapshot(fx.conn)).user?.find((u) => u.id === userId(3))?.isSuspended, 1);
});

it('mamori dsr refuses a malformed identity or a correction without --set with exit code 2', async () => {
  assert.equal(await dsrCommand(['access', '--graph', GRAPH, '--identity', 'nope']), 2);
  assert.equal(await dsrCommand(['correct', '--graph', GRAPH, '--identity', 'email=a@example.jp']), 2);
  assert.equal(await dsrCommand(['erase', '--graph', GRAPH]), 2);
});
