import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createManualClock } from '../../src/clock.ts';
import { loadPolicyFile } from '../../src/policy/load-policy.ts';
import { requestServiceFor } from '../../src/requests/request-service.ts';
import { startServer } from '../../src/server.ts';
import { closeConnectorService, connectorServiceFor } from '../../src/connectors/connector-request-hooks.ts';
import { createFixtureDb, seedFediverse, snapshot, userEmail, userId } from '../fixtures/fediverse/fediverse-fixture.ts';
import { createTestStore } from '../support/stores.ts';

const GRAPH = 'examples/misskey-server/datasets.yaml';

async function startMisskey(workerIntervalMs = 0) {
  const fx = await createFixtureDb('postgres');
  await seedFediverse(fx.conn, 4);
  // The graph names the variable; the URL lives only in the environment.
  process.env.MISSKEY_DATABASE_URL = fx.url;
  const store = await createTestStore('sqlite');
  const dataDir = mkdtempSync(join(tmpdir(), 'mamori-conn-req-'));
  const policy = loadPolicyFile('examples/misskey-server/policy.yaml');
  if (!policy.ok) throw new Error('policy does not load');
  const server = await startServer({
    policy: policy.loaded,
    config: { port: 0, host: '127.0.0.1', secret: Buffer.alloc(32, 7), dataDir, baseUrl: 'http://mamori.test', graphPath: GRAPH },
    env: {},
    store,
    clock: createManualClock('2026-11-01T00:00:00Z'),
    outboxIntervalMs: workerIntervalMs,
  });
  return {
    fx,
    server,
    service: requestServiceFor(server.ctx),
    async close() {
      await server.close();
      await closeConnectorService(server.ctx);
      await store.drop();
      await fx.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

it('a disclosure request on the Misskey example gathers the person\'s data from the database by itself', async (t) => {
  const app = await startMisskey();
  t.after(() => app.close());
  const { id } = await app.service.enterRequest('staff:s1', { kind: 'disclosure', channel: 'privacy_email', email: userEmail(2), description: '', lang: 'ja', documents: [] });
  await app.service.confirmIdentity('staff:s1', id, '本人確認書類の氏名と登録情報が一致', { claims: [{ kind: 'email' }] });
  await app.service.markPaid('staff:s1', id, { method: 'bank_transfer', reference: 'T-1' });
  await app.service.gatherFromSystems('staff:s1', id);
  const view = await app.service.getForStaff('staff:s1', id);
  const section = view.gathered.find((g) => g.source === 'connector:misskey_db');
  assert.ok(section, 'the connector section is in the request');
  assert.equal(section.groupCount, 9);
  assert.equal(section.rowCount, 12);
  assert.equal(section.title.ja, 'Misskeyのデータベース');
});

it('an erasure decision on the Misskey example erases the person in the database and lets the request close', async (t) => {
  const app = await startMisskey();
  t.after(() => app.close());
  const { id } = await app.service.enterRequest('staff:s1', { kind: 'suspension', channel: 'privacy_email', email: userEmail(3), description: '', lang: 'ja', documents: [] });
  await app.service.confirmIdentity('staff:s1', id, '本人確認書類の氏名と登録情報が一致', { claims: [{ kind: 'email' }] });
  await app.service.decide('staff:s1', id, { outcome: 'full', measure: 'erased' });
  const snap = await snapshot(app.fx.conn);
  assert.equal(snap.user_profile?.find((p) => p.userId === userId(3))?.email, null);
  assert.equal(snap.signin?.filter((s) => s.userId === userId(3)).length, 0);
  assert.equal(snap.user_profile?.find((p) => p.userId === userId(2))?.email, userEmail(2), 'other people untouched');
  const rows = await app.server.ctx.store.db.selectFrom('connector_runs').select(['kind', 'status']).where('request_id', '=', id).execute();
  assert.deepEqual(rows, [{ kind: 'erase', status: 'done' }]);
  assert.deepEqual(await connectorServiceFor(app.server.ctx)?.blockers(id), [], 'nothing keeps the request from closing');
});

it('the server\'s background worker picks up runs queued by another process', async (t) => {
  const app = await startMisskey(50);
  t.after(() => app.close());
  const svc = connectorServiceFor(app.server.ctx);
  assert.ok(svc);
  const id = await svc.queueRun({ kind: 'suspend', identities: { email: userEmail(1) } });
  const deadline = Date.now() + 10_000;
  while ((await svc.report(id)).status !== 'done') {
    assert.ok(Date.now() < deadline, 'the worker did not run the queued run');
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.equal((await snapshot(app.fx.conn)).user?.find((u) => u.id === userId(1))?.isSuspended, 1);
});
