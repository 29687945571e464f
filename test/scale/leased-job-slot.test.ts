import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/clock.ts';
import { runLeasedJobSlot } from '../../src/jobs/job-lease.ts';
import { openStore } from '../../src/store/store.ts';
import { createTestStore, storeDialects } from '../support/stores.ts';

for (const dialect of storeDialects) {
  test(`a long job slot under a lease runs on one instance, stays busy while it runs, and is run again when its holder died (${dialect})`, async () => {
    const store = await createTestStore(dialect);
    const other = await openStore(store.url); // a second instance: its own connection to the same database
    const leaseMs = 200;
    try {
      let runs = 0;
      let release: () => void = () => {};
      const held = new Promise<void>((r) => {
        release = r;
      });
      const work = async () => {
        runs += 1;
        await held;
        return 'audited';
      };
      const first = runLeasedJobSlot(store, systemClock, 'site.audit', '2026-11-30', work, { leaseMs });
      const second = runLeasedJobSlot(other, systemClock, 'site.audit', '2026-11-30', work, { leaseMs });
      const settled = await Promise.race([second, first]);
      assert.equal(settled.status, 'busy', 'the instance that did not get the slot is told at once');
      // While the work lasts five leases long, asking again keeps finding it busy: the holder renews its lease.
      for (let i = 0; i < 10; i += 1) {
        await new Promise((r) => setTimeout(r, leaseMs / 2));
        assert.equal((await runLeasedJobSlot(other, systemClock, 'site.audit', '2026-11-30', work, { leaseMs })).status, 'busy');
      }
      release();
      const outcomes = (await Promise.all([first, second])).map((o) => o.status).sort();
      assert.deepEqual(outcomes, ['busy', 'ran']);
      assert.equal(runs, 1);
      assert.equal((await runLeasedJobSlot(other, systemClock, 'site.audit', '2026-11-30', work, { leaseMs })).status, 'done');

      // A failed run gives the slot back at once; the error reaches the caller.
      await assert.rejects(runLeasedJobSlot(store, systemClock, 'site.audit', '2026-12-01', async () => { throw new Error('chromium crashed'); }, { leaseMs }), /chromium crashed/);
      assert.equal((await runLeasedJobSlot(other, systemClock, 'site.audit', '2026-12-01', async () => 'ok', { leaseMs })).status, 'ran');

      // An instance that died mid-run: its lease lapses and another instance runs the slot.
      await store.db.updateTable('scheduled_jobs').set({ lease_owner: 'dead-instance', lease_until: new Date(Date.now() + 60_000).toISOString() }).where('name', '=', 'site.audit').execute();
      assert.equal((await runLeasedJobSlot(other, systemClock, 'site.audit', '2026-12-02', async () => 'ok', { leaseMs })).status, 'busy', 'its lease still runs');
      await store.db.updateTable('scheduled_jobs').set({ lease_owner: 'dead-instance', lease_until: new Date(Date.now() - 1000).toISOString() }).where('name', '=', 'site.audit').execute();
      assert.equal((await runLeasedJobSlot(other, systemClock, 'site.audit', '2026-12-02', async () => 'ok', { leaseMs })).status, 'ran');
      const row = await store.db.selectFrom('scheduled_jobs').selectAll().where('name', '=', 'site.audit').executeTakeFirstOrThrow();
      assert.equal(row.last_slot, '2026-12-02');
      assert.equal(row.lease_owner, null);
    } finally {
      await other.close();
      await store.drop();
    }
  });
}
