import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '../../src/clock.ts';
import { openStore } from '../../src/store/store.ts';
import { openSqlConnection } from '../../src/connectors/sql/open-sql-connection.ts';
import { createFixtureDb, seedFediverse, snapshot, userEmail } from '../fixtures/fediverse/fediverse-fixture.ts';
import { createTestStore } from '../support/stores.ts';
import { fixtureGraph, makeService } from './connector-harness.ts';

it('two workers with separate pools share the PostgreSQL queue without running anything twice', async (t) => {
  const store = await createTestStore('postgres');
  const fx = await createFixtureDb('postgres');
  t.after(async () => {
    await fx.drop();
    await store.drop();
  });
  await seedFediverse(fx.conn, 10);
  const graph = fixtureGraph('postgres');
  const clock = createManualClock('2026-11-01T00:00:00.000Z');
  // Two independent "processes": their own store pool, their own target-database pool, their own worker id.
  const storeA = await openStore(store.url);
  const storeB = await openStore(store.url);
  const connA = openSqlConnection('postgres', fx.url);
  const connB = openSqlConnection('postgres', fx.url);
  t.after(async () => {
    await Promise.all([storeA.close(), storeB.close(), connA.close(), connB.close()]);
  });
  const a = makeService(storeA, graph, connA, { clock, owner: 'worker-a' }).svc;
  const b = makeService(storeB, graph, connB, { clock, owner: 'worker-b' }).svc;
  const ids: string[] = [];
  for (let i = 1; i <= 8; i++) ids.push(await a.queueRun({ kind: 'erase', identities: { email: userEmail(i) } }));

  const [doneA, doneB] = await Promise.all([a.workUntilIdle(), b.workUntilIdle()]);
  assert.equal(doneA + doneB, 8, 'each run claimed exactly once');
  for (const id of ids) {
    const r = await a.report(id);
    assert.equal(r.status, 'done');
    assert.equal(r.attempts, 1);
  }
  const steps = await store.db.selectFrom('connector_steps').select(['attempts']).execute();
  assert.equal(steps.length, 8);
  assert.ok(steps.every((s) => s.attempts === 1), 'no step ran twice');
  const runEvents = await store.db.selectFrom('audit_events').select('action').where('action', '=', 'connector.run_done').execute();
  assert.equal(runEvents.length, 8);
  const snap = await snapshot(fx.conn);
  assert.equal(snap.user_profile?.filter((u) => u.email === null).length, 8);
  assert.equal(snap.signin?.length, 4, 'only the two people not erased keep their sign-ins');
});

it('a run whose worker died is taken over once its lease expires', async (t) => {
  const store = await createTestStore('postgres');
  const fx = await createFixtureDb('postgres');
  t.after(async () => {
    await fx.drop();
    await store.drop();
  });
  await seedFediverse(fx.conn, 3);
  const clock = createManualClock('2026-11-01T00:00:00.000Z');
  const graph = fixtureGraph('postgres');
  const dead = makeService(store, graph, fx.conn, { clock, owner: 'dead', leaseMs: 30_000 }).svc;
  const id = await dead.queueRun({ kind: 'erase', identities: { email: userEmail(1) } });
  // The dead worker claimed the run (lease taken) but never ran it.
  await store.db.updateTable('connector_runs').set({ status: 'running', lease_owner: 'dead', lease_until: new Date(clock.now().getTime() + 30_000).toISOString(), attempts: 1 }).where('id', '=', id).execute();
  const live = makeService(store, graph, fx.conn, { clock, owner: 'live' }).svc;
  assert.equal(await live.workOnce(), false, 'a live lease is respected');
  clock.advance(31_000);
  assert.equal(await live.workOnce(), true);
  assert.equal((await live.report(id)).status, 'done');
});
