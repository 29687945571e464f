import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createManualClock } from '../../src/clock.ts';
import { parseGraph } from '../../src/connectors/load-graph.ts';
import { createConnectorService } from '../../src/connectors/connector-service.ts';
import { createTestStore } from '../support/stores.ts';

const graphText = `mamori_graph: 1
datasets:
  - id: shop_app
    connection: { kind: webhook, url_env: SHOP_URL, secret_env: SHOP_SECRET, handles: [erase] }
    categories: [email]
`;

it('a webhook that answers at once completes the step; one that keeps failing is retried, then the run fails', async (t) => {
  const store = await createTestStore('sqlite');
  let mode: 'ok' | 'down' = 'ok';
  let calls = 0;
  const app = createServer((req, res) => {
    calls++;
    req.resume();
    req.on('end', () => {
      if (mode === 'down') res.writeHead(500).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'done', count: 3 }));
    });
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  t.after(async () => {
    await new Promise<void>((r) => app.close(() => r()));
    await store.drop();
  });
  const a = app.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  const g = parseGraph(graphText, 'g.yaml');
  assert.ok(g.ok);
  const clock = createManualClock(new Date().toISOString());
  const svc = createConnectorService({ store, clock, graph: g.loaded.graph, secret: Buffer.alloc(32, 1), env: { SHOP_URL: `http://127.0.0.1:${port}/`, SHOP_SECRET: 'shop-secret-0123456789' }, baseUrl: 'http://mamori.test', webhookBackoffMs: 1, maxAttempts: 2 });

  const erase = await svc.queueRun({ kind: 'erase', identities: { email: 'a@example.jp' } });
  assert.equal(await svc.runNow(erase), 'done');
  assert.deepEqual((await svc.report(erase)).steps.map((s) => [s.dataset, s.status, s.count]), [['shop_app', 'done', 3]]);

  const access = await svc.queueRun({ kind: 'access', identities: { email: 'a@example.jp' } });
  assert.equal(await svc.runNow(access), 'done');
  assert.equal((await svc.report(access)).steps[0]?.status, 'skipped', 'a kind the webhook does not handle is skipped');

  mode = 'down';
  calls = 0;
  const failing = await svc.queueRun({ kind: 'erase', identities: { email: 'b@example.jp' } });
  assert.equal(await svc.runNow(failing), 'queued');
  assert.equal(calls, 3, 'three attempts per step');
  clock.advance(10_000);
  assert.equal(await svc.runNow(failing), 'failed');
  const report = await svc.report(failing);
  assert.deepEqual(report.steps[0]?.error, { code: 'MAMORI_WEBHOOK_FAILED', message: 'the webhook answered HTTP 500' });
  assert.deepEqual(await svc.blockers('none'), []);
});
