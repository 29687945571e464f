import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqlEngine } from '../../src/connectors/graph-schema.ts';
import { planDataset } from '../../src/connectors/graph-plan.ts';
import { dsrCommand } from '../../src/cli/commands/dsr.ts';
import { createFixtureDb, FIXTURE_GRAPH, qt, seedFediverse, snapshot, userEmail, userId, type FixtureDb } from '../fixtures/fediverse/fediverse-fixture.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';
import { runMamori } from '../support/cli.ts';
import { SECRET, fixtureGraph, makeService } from './connector-harness.ts';

const engines: SqlEngine[] = ['postgres', 'mysql', 'sqlite'];
/** The example graph with notes deleted instead of masked (note.replyId → note is ON DELETE SET NULL in the fixture). */
const deletingNotes = (extra = '') => (y: string) =>
  y.replace(/(      - name: note\n[\s\S]*?)        erase:\n          action: mask\n          fields: \{ text: "null", cw: "null" \}/, `$1        erase: { action: delete }${extra}`);

for (const engine of engines) {
  describe(`exact edges on ${engine}`, () => {
    let store: TestStore;
    before(async () => {
      store = await createTestStore('sqlite');
    });
    after(async () => {
      await store.drop();
    });
    const fresh = async (users = 4): Promise<FixtureDb> => {
      const fx = await createFixtureDb(engine);
      await seedFediverse(fx.conn, users);
      return fx;
    };

    it('matches an email identity whatever its case, and says when nothing was found', async (t) => {
      const fx = await fresh();
      t.after(() => fx.drop());
      const { svc } = makeService(store, fixtureGraph(engine), fx.conn);
      const upper = await svc.queueRun({ kind: 'access', identities: { email: userEmail(2).toUpperCase() } });
      await svc.runNow(upper);
      const found = await svc.report(upper);
      assert.equal(found.steps[0]?.count, 12);
      assert.equal(found.steps[0]?.found, true);
      assert.equal(found.noDataFound, false);
      for (const kind of ['access', 'erase'] as const) {
        const none = await svc.queueRun({ kind, identities: { email: 'nobody@example.jp' } });
        await svc.runNow(none);
        const r = await svc.report(none);
        assert.equal(r.status, 'done');
        assert.equal(r.noDataFound, true, `${kind}: no data found is its own result`);
      }
    });

    it('a second erasure changes nothing: a keyed hash is not hashed again', async (t) => {
      const fx = await fresh();
      t.after(() => fx.drop());
      const { svc } = makeService(store, fixtureGraph(engine), fx.conn);
      const first = await svc.queueRun({ kind: 'erase', identities: { account_id: userId(2) } });
      await svc.runNow(first);
      const once = await snapshot(fx.conn);
      const second = await svc.queueRun({ kind: 'erase', identities: { account_id: userId(2) } });
      await svc.runNow(second);
      assert.deepEqual(await snapshot(fx.conn), once);
      assert.equal(once.user?.find((u) => u.id === userId(2))?.username, createHmac('sha256', SECRET).update('user2').digest('hex'));
      const r = await svc.report(second);
      assert.equal(r.steps[0]?.count, 0, 'nothing counted as changed the second time');
      assert.equal(r.noDataFound, false, 'the masked rows are still the person\'s');
    });

    it('follows a reference of a collection to itself row by row, without reporting a cycle', async (t) => {
      const fx = await fresh();
      t.after(() => fx.drop());
      // Replies to the person's notes followed as the person's (a thread model): user 1's n1_1 replies to n2_0.
      const graph = fixtureGraph(engine, (y) => y.replace('{ name: replyId, references: note.id, follow: false }', '{ name: replyId, references: note.id }'));
      const sqlDs = graph.datasets[0];
      assert.ok(sqlDs);
      assert.deepEqual(planDataset(sqlDs).cycles, []);
      await fx.conn.query(`update note set ${qt(engine, 'replyId')} = ? where id = ?`, ['n1_1', 'n3_0']); // a reply to the reply
      const { svc } = makeService(store, graph, fx.conn);
      const id = await svc.queueRun({ kind: 'access', identities: { account_id: userId(2) } });
      assert.equal(await svc.runNow(id), 'done');
      const notes = (await svc.results(id))[0]?.groups.find((g) => g.name === 'misskey_db.note')?.rows.map((r) => r.id).sort();
      assert.deepEqual(notes, ['n1_1', 'n2_0', 'n2_1', 'n2_2', 'n3_0']);
    });

    it('refuses a delete the database would cascade into other people\'s rows, counts it in a dry run, and allows it with a reason', async (t) => {
      const fx = await fresh();
      t.after(() => fx.drop());
      await fx.conn.query('delete from note_reaction');
      const { svc } = makeService(store, fixtureGraph(engine, deletingNotes()), fx.conn);
      const dry = await svc.queueRun({ kind: 'erase', identities: { account_id: userId(2) }, dryRun: true });
      await svc.runNow(dry);
      const planned = (await svc.report(dry)).steps[0]?.collections.find((c) => c.collection === 'note');
      assert.deepEqual(planned?.cascaded, [{ path: 'note → note.replyId (set null)', table: 'note', rule: 'set_null', mine: 0, others: 1 }]);
      assert.match(planned?.note ?? '', /would be refused/);
      const before = await snapshot(fx.conn);
      const refused = await svc.queueRun({ kind: 'erase', identities: { account_id: userId(2) } });
      await svc.runNow(refused);
      const r = await svc.report(refused);
      assert.equal(r.steps[0]?.status, 'failed');
      assert.equal(r.steps[0]?.error?.code, 'MAMORI_ERASE_CASCADE');
      assert.match(r.steps[0]?.error?.message ?? '', /note → note\.replyId \(set null\): 1 other people's row\(s\), 0 of the person's.*use `erase: \{ action: mask/);
      assert.deepEqual(await snapshot(fx.conn), before, 'nothing changed');

      const reason = 'replies lose their parent link only (terms §12)';
      const ack = makeService(store, fixtureGraph(engine, deletingNotes(`\n        allow_cascade: { reason: "${reason}" }`)), fx.conn).svc;
      const allowed = await ack.queueRun({ kind: 'erase', identities: { account_id: userId(2) } });
      assert.equal(await ack.runNow(allowed), 'done');
      const note = (await ack.report(allowed)).steps[0]?.collections.find((c) => c.collection === 'note');
      assert.equal(note?.note, `cascade acknowledged: ${reason}`);
      assert.equal(note?.cascaded?.[0]?.others, 1);
      const after = await snapshot(fx.conn);
      assert.equal(after.note?.find((n) => n.id === 'n1_1')?.replyId, null, 'the database set the reply\'s link to NULL');
      assert.equal(after.note?.filter((n) => n.userId === userId(2)).length, 0);
    });
  });
}

it('mamori dsr: unknown identity kinds and --set fields are usage errors (2); no data is exit 3; a failed access writes nothing and never says queued', async (t) => {
  const fx = await createFixtureDb('sqlite');
  const dir = mkdtempSync(join(tmpdir(), 'mamori-edges-'));
  t.after(async () => {
    await fx.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  await seedFediverse(fx.conn, 3);
  assert.equal(await dsrCommand(['access', '--graph', FIXTURE_GRAPH, '--identity', 'phone=0312345678']), 2);
  assert.equal(await dsrCommand(['correct', '--graph', FIXTURE_GRAPH, '--identity', `email=${userEmail(1)}`, '--set', 'nosuch.field=1']), 2);
  assert.equal(await dsrCommand(['correct', '--graph', FIXTURE_GRAPH, '--identity', `email=${userEmail(1)}`, '--set', 'user.nosuch=1']), 2);
  const graph = join(dir, 'graph.yaml');
  const { readFileSync } = await import('node:fs');
  writeFileSync(graph, readFileSync(FIXTURE_GRAPH, 'utf8').replace('kind: postgres', 'kind: sqlite'));
  const env = { DATABASE_URL: `sqlite:${join(dir, 'mamori.sqlite')}`, MAMORI_DATA_DIR: dir, MISSKEY_DATABASE_URL: fx.url };
  const none = await runMamori(['dsr', 'access', '--graph', graph, '--identity', 'email=nobody@example.jp', '--out', join(dir, 'none.zip')], { env });
  assert.equal(none.code, 3);
  assert.match(none.stdout, /no data found for these identities/);
  assert.ok(!existsSync(join(dir, 'none.zip')));
  const pkg = join(dir, 'pkg.zip');
  const failed = await runMamori(['dsr', 'access', '--graph', graph, '--identity', `email=${userEmail(1)}`, '--out', pkg], { env: { ...env, MISSKEY_DATABASE_URL: join(dir, 'missing', 'nope.sqlite') } });
  assert.equal(failed.code, 1);
  assert.match(failed.stdout, /access: failed/);
  assert.doesNotMatch(failed.stdout, /queued|wrote/);
  assert.ok(!existsSync(pkg), 'a failed access wrote a package');
});
