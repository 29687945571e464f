import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { SqlEngine } from '../../src/connectors/graph-schema.ts';
import { createFixtureDb, ownedBy, seedFediverse, snapshot, userEmail, userId, type FixtureDb } from '../fixtures/fediverse/fediverse-fixture.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';
import { SECRET, connectionLostAt, fixtureGraph, makeService } from './connector-harness.ts';

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
      const counts = Object.fromEntries(res.groups.map((g) => [g.name.replace('misskey_db.', ''), g.rows.length]));
      assert.deepEqual(counts, { user: 1, user_profile: 1, note: 3, note_reaction: 1, following: 1, drive_file: 1, signin: 2, muting: 1, abuse_user_report: 1 });
      for (const g of res.groups) for (const row of g.rows) assert.ok(ownedBy(g.name.replace('misskey_db.', ''), row, userId(2)), `${g.name} holds another person's row`);
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
      assert.equal(mine('note_reaction').length, 0);
      assert.equal(mine('signin').length, 0);
      assert.equal(mine('drive_file').length, 0);
      assert.equal(mine('following').length, 0);
      assert.equal(mine('muting').length, 0);
      assert.equal(mine('abuse_user_report').length, 1, 'reports are retained with a legal basis');
      assert.deepEqual(mine('note').map((n) => [n.text, n.cw]), [[null, null], [null, null], [null, null]]);
      const [profile] = mine('user_profile');
      assert.deepEqual([profile?.email, profile?.birthday, profile?.description, profile?.location], [null, null, null, null]);
      const [user] = mine('user');
      assert.equal(user?.name, null);
      assert.equal(user?.username, createHmac('sha256', SECRET).update('user2').digest('hex'), 'username replaced by its keyed hash');
      const report = await svc.report(id);
      const byName = Object.fromEntries((report.steps[0]?.collections ?? []).map((c) => [c.collection, [c.status, c.count]]));
      assert.deepEqual(byName, { user: ['done', 1], user_profile: ['done', 1], note: ['done', 3], note_reaction: ['done', 1], following: ['done', 1], drive_file: ['done', 1], signin: ['done', 2], muting: ['done', 1], abuse_user_report: ['skipped', 0] });
    });

    it('small pages and IN-list chunks give the same rows as one statement', async (t) => {
      const fx = await fresh(5);
      t.after(() => fx.drop());
      const { svc } = makeService(store, fixtureGraph(engine), fx.conn, { executor: { pageSize: 2, chunkSize: 1 } });
      const id = await svc.queueRun({ kind: 'access', identities: { email: userEmail(4), account_id: userId(4) } });
      assert.equal(await svc.runNow(id), 'done');
      const [res] = await svc.results(id);
      const notes = res?.groups.find((g) => g.name === 'misskey_db.note')?.rows.map((r) => r.id);
      assert.deepEqual(notes, ['n4_0', 'n4_1', 'n4_2', 'n4_3', 'n4_4'], 'keyset pages in key order, no row twice');
      assert.equal(res?.groups.find((g) => g.name === 'misskey_db.user')?.rows.length, 1, 'found by identity and by reference, listed once');
      const dry = await svc.queueRun({ kind: 'erase', identities: { email: userEmail(4), account_id: userId(4) }, dryRun: true });
      await svc.runNow(dry);
      assert.equal((await svc.report(dry)).steps[0]?.collections.find((c) => c.collection === 'user')?.count, 1);
    });

    it('masks with fixed values and random text, different for each row', async (t) => {
      const fx = await fresh();
      t.after(() => fx.drop());
      const graph = fixtureGraph(engine, (y) => y.replace('fields: { name: "null", username: hash, usernameLower: hash }', 'fields: { name: { fixed: "（退会済み）" }, username: random, usernameLower: random }'));
      const { svc } = makeService(store, graph, fx.conn);
      for (const i of [1, 2]) assert.equal(await svc.runNow(await svc.queueRun({ kind: 'erase', identities: { email: userEmail(i) } })), 'done');
      const users = (await snapshot(fx.conn)).user ?? [];
      const [u1, u2, u3] = users;
      assert.equal(u1?.name, '（退会済み）');
      assert.equal(u2?.name, '（退会済み）');
      assert.notEqual(u1?.username, 'user1');
      assert.notEqual(u1?.username, u2?.username);
      assert.notEqual(u1?.username, u1?.usernameLower, 'each field gets its own random value');
      assert.equal(u3?.username, 'user3');
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
      assert.deepEqual(counts, { user: 1, user_profile: 1, note: 4, note_reaction: 1, following: 1, drive_file: 1, signin: 2, muting: 1, abuse_user_report: 1 });
    });

    it('correction changes only correctable fields and records before and after', async (t) => {
      const fx = await fresh();
      t.after(() => fx.drop());
      const { svc } = makeService(store, fixtureGraph(engine), fx.conn);
      const id = await svc.queueRun({ kind: 'correct', identities: { email: userEmail(1) }, corrections: [{ field: 'user.name', after: '新しい名前' }, { field: 'user_profile.birthday', after: '1991-02-03' }, { field: 'user.username', after: 'hijack' }] });
      assert.equal(await svc.runNow(id), 'done');
      const [res] = await svc.results(id);
      assert.deepEqual(res?.corrections.map((c) => [c.field, c.before, c.after, c.count]), [['misskey_db.user.name', ['利用者1'], '新しい名前', 1], ['misskey_db.user_profile.birthday', ['1990-01-02'], '1991-02-03', 1]]);
      const snap = await snapshot(fx.conn);
      const u1 = snap.user?.find((u) => u.id === userId(1));
      assert.equal(u1?.name, '新しい名前');
      assert.equal(u1?.username, 'user1', 'a field not marked correctable is left alone');
      assert.equal(snap.user?.find((u) => u.id === userId(2))?.name, '利用者2');
      const skipped = (await svc.report(id)).steps[0]?.collections.find((c) => c.status === 'skipped');
      assert.equal(skipped?.note, 'username is not correctable');
    });

    it('suspension sets the configured flag on the person only', async (t) => {
      const fx = await fresh();
      t.after(() => fx.drop());
      const { svc } = makeService(store, fixtureGraph(engine), fx.conn);
      const id = await svc.queueRun({ kind: 'suspend', identities: { email: userEmail(4) } });
      assert.equal(await svc.runNow(id), 'done');
      const flags = (await snapshot(fx.conn)).user?.map((u) => [u.id, Number(u.isSuspended)]);
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
      assert.equal(afterSnap.signin?.filter((r) => r.userId === userId(2)).length, 0);
      assert.equal(afterSnap.signin?.length, 6);
    });
  });
}
