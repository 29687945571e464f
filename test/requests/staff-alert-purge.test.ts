import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock, DAY_MS } from '../../src/clock.ts';
import { createAssertion } from '../../src/auth/signed-assertion.ts';
import { createStaffUser } from '../../src/staff/staff-users.ts';
import { sweepStaffAlerts } from '../../src/requests/request-staff-alerts.ts';
import { storeDialects } from '../support/stores.ts';
import { startTestServer, type TestServer } from '../staff/console-helpers.ts';

const ASSERTION_SECRET = 'operator-app-shared-secret-0123456789';

for (const dialect of storeDialects) {
  describe(`old staff alerts are purged by the daily job (${dialect})`, () => {
    const clock = createManualClock('2026-04-01T00:00:00Z');
    let server: TestServer;

    before(async () => {
      server = await startTestServer(dialect, { clock, config: { assertionSecret: ASSERTION_SECRET, staffAlertDays: 30 } });
      await createStaffUser(server.ctx.store.db, clock, { email: 'dpo@example.jp', role: 'officer', password: 'officer password long enough', actor: 'cli' });
    });
    after(() => server?.stop());

    async function file(email: string): Promise<string> {
      const fd = new FormData();
      for (const [k, v] of Object.entries({ kind: 'disclosure', lang: 'ja', applicant: 'self', email, description: '登録情報について' })) fd.set(k, v);
      fd.set('assertion', createAssertion({ sub: email, email, exp: Math.floor(clock.now().getTime() / 1000) + 300 }, ASSERTION_SECRET));
      const res = await fetch(`${server.url}/privacy-center/requests`, { method: 'POST', body: fd, redirect: 'manual' });
      return /requests\/(req_[^?/]+)/.exec(res.headers.get('location') ?? '')?.[1] ?? '';
    }
    const keys = async () => (await server.ctx.store.db.selectFrom('request_staff_alerts').select('key').orderBy('key').execute()).map((r) => r.key.split(':')[0]);

    test('kept while young or still able to fire; deleted after the configured days once nothing would send it again; never mailed twice', async () => {
      const db = server.ctx.store.db;
      const deps = { store: server.ctx.store, clock, policy: server.ctx.policy.policy, baseUrl: server.url };
      const id = await file('hanako@example.jp');
      assert.ok(id);
      const at = clock.now().toISOString();
      // A webhook step waiting for the operator's app, as the connector service leaves it.
      await db.insertInto('connector_runs').values({ id: 'crun_purge_1', request_id: id, kind: 'access', status: 'waiting', dry_run: 0, payload_sealed: 'x', attempts: 1, lease_owner: null, lease_until: null, created_at: at, updated_at: at, finished_at: null }).execute();
      await db.insertInto('connector_tasks').values({ id: 'ctask_purge_1', run_id: 'crun_purge_1', request_id: id, dataset: 'app_accounts', kind: 'webhook', status: 'open', reason: null, actor: null, created_at: at, updated_at: at }).execute();
      await sweepStaffAlerts(deps);
      clock.advance(DAY_MS + 60_000);
      await sweepStaffAlerts(deps);
      assert.deepEqual(await keys(), ['callback', 'new']);

      // Ten days on: both are younger than the 30 days configured.
      clock.advance(10 * DAY_MS);
      assert.equal((await server.jobs.tickOnce())['requests.staff_alerts_purge'], 'ran');
      assert.deepEqual(await keys(), ['callback', 'new']);

      // Forty days on: the new-request alert goes; the silent callback stays while its step is still open and unchanged.
      clock.advance(30 * DAY_MS);
      assert.equal((await server.jobs.tickOnce())['requests.staff_alerts_purge'], 'ran');
      assert.deepEqual(await keys(), ['callback']);
      const audit = await db.selectFrom('audit_events').select(['actor', 'data']).where('action', '=', 'requests.staff_alerts_purged').execute();
      assert.equal(audit.length, 1);
      assert.equal(audit[0]?.actor, 'system');
      const mailsBefore = (await db.selectFrom('mail_outbox').select('id').where('topic', 'like', 'staff.%').execute()).length;
      await sweepStaffAlerts(deps);
      assert.equal((await db.selectFrom('mail_outbox').select('id').where('topic', 'like', 'staff.%').execute()).length, mailsBefore, 'nothing mailed again after the purge');

      // The same day again: done, nothing more. Once the step is answered, the next day's purge takes the callback too.
      assert.equal((await server.jobs.tickOnce())['requests.staff_alerts_purge'], 'done');
      await db.updateTable('connector_tasks').set({ status: 'done', updated_at: clock.now().toISOString() }).where('id', '=', 'ctask_purge_1').execute();
      clock.advance(DAY_MS);
      assert.equal((await server.jobs.tickOnce())['requests.staff_alerts_purge'], 'ran');
      assert.deepEqual(await keys(), []);
    });
  });
}
