import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { SqlEngine } from '../../src/connectors/graph-schema.ts';
import { createFixtureDb, seedFediverse, snapshot, userEmail, userId, type FixtureDb } from '../fixtures/fediverse/fediverse-fixture.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';
import { SECRET, connectionLostAt, fixtureGraph, makeService } from './connector-harness.ts';

/** Rows of a snapshot that belong to `uid` as the graph defines ownership (followed references only). */
function ownedBy(table: string, row: Record<string, unknown>, uid: string): boolean {
  switch (table) {
    case 'users':
      return row.id === uid;
    case 'follows':
      return row.follower_id === uid;
    case 'mutes':
      return row.muter_id === uid;
    case 'reports':
      return row.reporter_id === uid;
    default:
      return row.user_id === uid;
  }
}

const engines: SqlEngine[] = ['postgres', 'mysql', 'sqlite'];

for (const engine of engines) {
  describe(`connector suite on ${engine}`, () => {
    let fx: FixtureDb;
    let store: TestStore;
    before(async () => {
      store = await createTestStore('sqlite');
    });
    after(async () => {
      await store.drop();
    });
    const fresh = async (users = 4) => {
      fx = await createFixtureDb(engine);
      await seedFediverse(fx.conn, users);
      return fx;
    };

    it('access finds exactly one person\'s rows, grouped by collection', async (t) => {
      const fx = await fresh();
      t.after(() => fx.drop());
      const { svc } = makeService(store, fixtureGraph(engine), fx.conn);
      const id = await svc.queueRun({ kind: 'access', identities: { email: userEmail(2) } });
      assert.equal(await svc.runNow(id), 'done');
      const [res] = await svc.results(id);
      assert.ok(res);
      const counts = Object.fromEntries(res.groups.map((g) => [g.name.replace('fedi_db.', ''), g.rows.length]));
      assert.deepEqual(counts, { users: 1, profiles: 1, notes: 3, reactions: 1, follows: 1, drive_files: 1, signins: 2, mutes: 1, reports: 1 });
      for (const g of res.groups) for (const row of g.rows) assert.ok(ownedBy(g.name.replace('fedi_db.', ''), row, userId(2)), `${g.name} holds another person's row`);
      const report = await svc.report(id);
      assert.equal(report.steps[0]?.status, 'done');
      assert.equal(report.steps[0]?.count, 12);
    });

    it('erasure changes only the person\'s rows, masks and retains as the graph says', async (t) => {
      const fx = await fresh();
      t.after(() => fx.drop());
      const beforeSnap = await snapshot(fx.conn);
      const { svc } = makeService(store, fixtureGraph(engine), fx.conn);
      const id = await svc.queueRun({ kind: 'erase', identities: { email: userEmail(2) } });
      assert.equal(await svc.runNow(id), 'done');
      const afterSnap = await snapshot(fx.conn);
      for (const [table, rows] of Object.entries(beforeSnap)) {
        const others = rows.filter((r) => !ownedBy(table, r, userId(2)));
        const othersAfter = (afterSnap[table] ?? []).filter((r) => !ownedBy(table, r, userId(2)));
        assert.deepEqual(othersAfter, others, `other people's rows in ${table} changed`);
      }
      const mine = (table: string) => (afterSnap[table] ?? []).filter((r) => ownedBy(table, r, userId(2)));
      assert.equal(mine('profiles').length, 0);
      assert.equal(mine('reactions').length, 0);
      assert.equal(mine('signins').length, 0);
      assert.equal(mine('drive_files').length, 0);
      assert.equal(mine('follows').length, 0);
      assert.equal(mine('mutes').length, 0);
      assert.equal(mine('reports').length, 1, 'reports are retained with a legal basis');
      assert.deepEqual(mine('notes').map((n) => [n.text, n.cw]), [[null, null], [null, null], [null, null]]);
      const [user] = mine('users');
      assert.equal(user?.email, null);
      assert.equal(user?.name, '');
      assert.equal(user?.username, createHmac('sha256', SECRET).update('user2').digest('hex'), 'username replaced by its keyed hash');
      const report = await svc.report(id);
      const byName = Object.fromEntries((report.steps[0]?.collections ?? []).map((c) => [c.collection, [c.status, c.count]]));
      assert.deepEqual(byName, { users: ['done', 1], profiles: ['done', 1], notes: ['done', 3], reactions: ['done', 1], follows: ['done', 1], drive_files: ['done', 1], signins: ['done', 2], mutes: ['done', 1], reports: ['skipped', 1] });
    });

    it('a dry run counts what erasure would change and changes nothing', async (t) => {
      const fx = await fresh();
      t.after(() => fx.drop());
      const beforeSnap = await snapshot(fx.conn);
      const { svc } = makeService(store, fixtureGraph(engine), fx.conn);
      const id = await svc.queueRun({ kind: 'erase', identities: { account_id: userId(3) }, dryRun: true });
      assert.equal(await svc.runNow(id), 'done');
      assert.deepEqual(await snapshot(fx.conn), beforeSnap);
      const counts = Object.fromEntries((await svc.report(id)).steps[0]?.collections.map((c) => [c.collection, c.count]) ?? []);
      assert.deepEqual(counts, { users: 1, profiles: 1, notes: 4, reactions: 1, follows: 1, drive_files: 1, signins: 2, mutes: 1, reports: 1 });
    });

    it('correction changes only correctable fields and records before and after', async (t) => {
      const fx = await fresh();
      t.after(() => fx.drop());
      const { svc } = makeService(store, fixtureGraph(engine), fx.conn);
      const id = await svc.queueRun({ kind: 'correct', identities: { email: userEmail(1) }, corrections: [{ field: 'users.name', after: '新しい名前' }, { field: 'profiles.birthday', after: '1991-02-03' }, { field: 'users.username', after: 'hijack' }] });
      assert.equal(await svc.runNow(id), 'done');
      const [res] = await svc.results(id);
      assert.deepEqual(res?.corrections.map((c) => [c.field, c.before, c.after, c.count]), [['fedi_db.users.name', ['利用者1'], '新しい名前', 1], ['fedi_db.profiles.birthday', ['1990-01-02'], '1991-02-03', 1]]);
      const snap = await snapshot(fx.conn);
      const u1 = snap.users?.find((u) => u.id === userId(1));
      assert.equal(u1?.name, '新しい名前');
      assert.equal(u1?.username, 'user1', 'a field not marked correctable is left alone');
      assert.equal(snap.users?.find((u) => u.id === userId(2))?.name, '利用者2');
      const skipped = (await svc.report(id)).steps[0]?.collections.find((c) => c.status === 'skipped');
      assert.equal(skipped?.note, 'username is not correctable');
    });

    it('suspension sets the configured flag on the person only', async (t) => {
      const fx = await fresh();
      t.after(() => fx.drop());
      const { svc } = makeService(store, fixtureGraph(engine), fx.conn);
      const id = await svc.queueRun({ kind: 'suspend', identities: { email: userEmail(4) } });
      assert.equal(await svc.runNow(id), 'done');
      const flags = (await snapshot(fx.conn)).users?.map((u) => [u.id, Number(u.is_suspended)]);
      assert.deepEqual(flags, [['u1', 0], ['u2', 0], ['u3', 0], ['u4', 1]]);
    });

    it('a connection lost mid-erasure rolls back; the resumed run erases everything once', { skip: engine === 'sqlite' ? 'SQLite is an in-process file: there is no server connection to lose' : false }, async (t) => {
      const fx = await fresh();
      t.after(() => fx.drop());
      const beforeSnap = await snapshot(fx.conn);
      const flaky = connectionLostAt(fx.conn, 6);
      const { svc, clock } = makeService(store, fixtureGraph(engine), flaky);
      const id = await svc.queueRun({ kind: 'erase', identities: { email: userEmail(2) } });
      assert.equal(await svc.runNow(id), 'queued', 'a failed step puts the run back in the queue');
      assert.ok(flaky.tripped());
      const failed = await svc.report(id);
      assert.equal(failed.steps[0]?.status, 'failed');
      assert.deepEqual(await snapshot(fx.conn), beforeSnap, 'the dataset transaction rolled back');
      assert.equal(await svc.workOnce(), false, 'the retry waits for its back-off');
      clock.advance(5_000);
      assert.equal(await svc.workOnce(), true);
      const done = await svc.report(id);
      assert.equal(done.status, 'done');
      assert.equal(done.attempts, 2);
      assert.equal(done.steps[0]?.count, 11, 'every row erased or masked once (the retained report not counted)');
      const afterSnap = await snapshot(fx.conn);
      assert.equal(afterSnap.signins?.filter((r) => r.user_id === userId(2)).length, 0);
      assert.equal(afterSnap.signins?.length, 6);
    });
  });
}
