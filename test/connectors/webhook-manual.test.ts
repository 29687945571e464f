import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { createManualClock } from '../../src/clock.ts';
import { loadPolicyFile } from '../../src/policy/load-policy.ts';
import { requestServiceFor } from '../../src/requests/request-service.ts';
import { startServer } from '../../src/server.ts';
import { createStaffUser } from '../../src/staff/staff-users.ts';
import { closeConnectorService, connectorServiceFor } from '../../src/connectors/connector-request-hooks.ts';
import { signWebhook, verifyWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../src/connectors/webhook/webhook-signature.ts';
import { createFixtureDb, seedFediverse, userEmail, userId } from '../fixtures/fediverse/fediverse-fixture.ts';
import { createTestStore } from '../support/stores.ts';
import { consoleCsrf, signIn } from '../staff/console-helpers.ts';

const APP_SECRET = 'panel-secret-for-tests-0123456789';

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString('utf8');
}

it('webhook steps wait for a signed callback and manual tasks block closing until done or waived in the console', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-wh-'));
  const fx = await createFixtureDb('sqlite');
  await seedFediverse(fx.conn, 3);
  // The operator's app: checks mamori's signature, accepts the job for later (202) and keeps what it was sent.
  const received: Array<{ body: string; valid: boolean }> = [];
  let failuresLeft = 1;
  const appServer = createServer((req, res) => {
    void readBody(req).then((body) => {
      if (failuresLeft-- > 0) {
        res.writeHead(503).end();
        return;
      }
      const ts = req.headers[TIMESTAMP_HEADER];
      const sig = req.headers[SIGNATURE_HEADER];
      received.push({ body, valid: verifyWebhook(APP_SECRET, typeof ts === 'string' ? ts : undefined, typeof sig === 'string' ? sig : undefined, body, new Date()) });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => appServer.listen(0, '127.0.0.1', r));
  const address = appServer.address();
  const appPort = typeof address === 'object' && address ? address.port : 0;
  const graph = readFileSync('examples/misskey-server/datasets.yaml', 'utf8').replace('kind: postgres', 'kind: sqlite') + `
  - id: billing_app
    name: { ja: 課金システム, en: Billing app }
    connection: { kind: webhook, url_env: TEST_BILLING_URL, secret_env: TEST_BILLING_SECRET }
    categories: [usage_history]
  - id: paper_files
    name: { ja: 紙の書類, en: Paper files }
    connection: { kind: manual, task: { ja: 紙の問い合わせ記録を確認する, en: Check the paper inquiry files } }
    categories: [inquiry]
`;
  const graphPath = join(dir, 'datasets.yaml');
  writeFileSync(graphPath, graph);
  process.env.MISSKEY_DATABASE_URL = fx.url;
  process.env.TEST_BILLING_URL = `http://127.0.0.1:${appPort}/mamori`;
  process.env.TEST_BILLING_SECRET = APP_SECRET;
  const store = await createTestStore('sqlite');
  const policy = loadPolicyFile('examples/misskey-server/policy.yaml');
  if (!policy.ok) throw new Error('policy');
  const clock = createManualClock(new Date().toISOString());
  const server = await startServer({ policy: policy.loaded, config: { port: 0, host: '127.0.0.1', secret: Buffer.alloc(32, 7), dataDir: dir, baseUrl: 'http://mamori.test', graphPath }, env: {}, store, clock, outboxIntervalMs: 0 });
  t.after(async () => {
    await closeConnectorService(server.ctx);
    await server.close();
    await store.drop();
    await fx.drop();
    await new Promise<void>((r) => appServer.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });
  const requests = requestServiceFor(server.ctx);
  const { id } = await requests.enterRequest('staff:s1', { kind: 'disclosure', channel: 'privacy_email', email: userEmail(2), description: '', lang: 'ja', documents: [] });
  await requests.confirmIdentity('staff:s1', id, '本人確認書類の氏名と登録情報が一致', { claims: [{ kind: 'email' }] });
  await requests.markPaid('staff:s1', id, { method: 'bank_transfer', reference: 'T-9' });

  // The first call met a 503 and was retried; the second carried a valid signature.
  assert.equal(received.length, 1);
  assert.equal(received[0]?.valid, true);
  const job = JSON.parse(received[0]?.body ?? '{}') as { task_id: string; kind: string; identities: Record<string, string>; callback_url: string };
  assert.equal(job.kind, 'access');
  // The email confirmed by staff, and the account id the database links to it (resolved, never typed).
  assert.deepEqual(job.identities, { email: userEmail(2), account_id: userId(2) });
  const svc = connectorServiceFor(server.ctx);
  assert.ok(svc);
  assert.deepEqual((await svc.blockers(id)).sort(), ['manual task for paper_files is not done or waived', 'waiting for billing_app to confirm completion']);

  const callbackPath = new URL(job.callback_url).pathname;
  const body = JSON.stringify({ status: 'done', groups: [{ name: 'invoices', rows: [{ invoice: 'INV-1', amount: 1500 }] }] });
  const post = (sig: string, ts: number) => fetch(`${server.url}${callbackPath}`, { method: 'POST', headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: String(ts), [SIGNATURE_HEADER]: sig }, body });
  const now = Math.floor(clock.now().getTime() / 1000);
  assert.equal((await post(signWebhook('wrong-secret-0123456789', now, body), now)).status, 401);
  assert.equal((await post(signWebhook(APP_SECRET, now - 3600, body), now - 3600)).status, 401, 'a stale timestamp is refused');
  assert.equal((await post(signWebhook(APP_SECRET, now, body), now)).status, 200);
  assert.equal((await post(signWebhook(APP_SECRET, now, body), now)).status, 200, 'a repeated callback is harmless');
  assert.deepEqual(await svc.blockers(id), ['manual task for paper_files is not done or waived']);

  // Staff close the manual task from the console: a waiver needs a reason.
  await createStaffUser(server.ctx.store.db, clock, { email: 'staff@example.jp', role: 'staff', password: 'correct horse battery staple 42', actor: 'cli' });
  const { jar } = await signIn(server.url, 'staff@example.jp', 'correct horse battery staple 42');
  const pagePath = `/console/requests/${id}/systems`;
  const page = await (await fetch(`${server.url}${pagePath}`, { headers: { cookie: jar.header(), accept: 'text/html' } })).text();
  assert.match(page, /paper_files/);
  assert.match(page, /billing_app/);
  const task = (await svc.tasksForRequest(id)).find((x) => x.dataset === 'paper_files');
  assert.ok(task);
  const csrf = await consoleCsrf(server.url, jar, pagePath);
  const waive = (reason: string) => fetch(`${server.url}${pagePath}/tasks/${task.id}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header(), accept: 'text/html' }, body: new URLSearchParams({ _csrf: csrf, action: 'waive', reason }) });
  assert.equal((await waive('')).status, 400);
  assert.equal((await waive('紙の記録は保存期間経過により廃棄済み')).status, 303);
  assert.deepEqual(await svc.blockers(id), []);
  const after = await (await fetch(`${server.url}${pagePath}`, { headers: { cookie: jar.header(), accept: 'text/html' } })).text();
  assert.match(after, /紙の記録は保存期間経過により廃棄済み/);
  const paperStep = (await svc.runsForRequest(id)).flatMap((r) => r.steps).find((s) => s.dataset === 'paper_files');
  assert.equal(paperStep?.status, 'skipped');
  assert.equal(paperStep?.collections[0]?.note, 'waived: 紙の記録は保存期間経過により廃棄済み', 'the step ledger keeps the reason');

  await requests.gatherFromSystems('staff:s1', id);
  const view = await requests.getForStaff('staff:s1', id);
  assert.deepEqual(view.gathered.map((g) => [g.source, g.rowCount]).sort(), [['connector:billing_app', 1], ['connector:misskey_db', 12]]);
  const events = await server.ctx.store.db.selectFrom('audit_events').select('action').where('action', 'like', 'connector.%').execute();
  assert.ok(events.some((e) => e.action === 'connector.task_waived'));
});
