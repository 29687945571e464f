import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createManualClock } from '../../src/clock.ts';
import { loadPolicyFile } from '../../src/policy/load-policy.ts';
import { requestServiceFor } from '../../src/requests/request-service.ts';
import { startServer } from '../../src/server.ts';
import { createStaffUser } from '../../src/staff/staff-users.ts';
import { createApiKey } from '../../src/staff/api-keys.ts';
import { closeConnectorService } from '../../src/connectors/connector-request-hooks.ts';
import { signWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../src/connectors/webhook/webhook-signature.ts';
import { createTestStore, storeDialects } from '../support/stores.ts';
import { consoleCsrf, signIn } from '../staff/console-helpers.ts';

const APP_SECRET = 'resolve-secret-for-tests-0123456789';
const PASSWORD = 'correct horse battery staple 42';

// Only a webhook system: the operator's app accepts every job (202) and never calls back by itself.
const GRAPH = `mamori_graph: 1
datasets:
  - id: billing_app
    name: { ja: 課金システム, en: Billing app }
    connection: { kind: webhook, url_env: TEST_RESOLVE_APP_URL, secret_env: TEST_RESOLVE_APP_SECRET }
    categories: [usage_history]
`;

const systemsView = z.object({
  runs: z.array(z.object({ id: z.string(), status: z.string(), steps: z.array(z.object({ dataset: z.string(), status: z.string(), collections: z.array(z.object({ note: z.string().optional() })) })) })),
  tasks: z.array(z.object({ id: z.string(), dataset: z.string(), kind: z.string(), status: z.string(), reason: z.string().nullable() })),
  blockers: z.array(z.string()),
});
const errorBody = z.object({ error: z.object({ code: z.string() }) });

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString('utf8');
}

for (const dialect of storeDialects) {
  describe(`resolving an awaited webhook callback by hand (${dialect})`, () => {
    it('only officers with a written reason can waive a callback that never came; then the request closes and a late callback changes nothing', async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'mamori-wh-resolve-'));
      const jobs: Array<{ task_id: string; callback_url: string }> = [];
      const appServer = createServer((req, res) => {
        void readBody(req).then((body) => {
          jobs.push(z.object({ task_id: z.string(), callback_url: z.string() }).parse(JSON.parse(body)));
          res.writeHead(202).end();
        });
      });
      await new Promise<void>((r) => appServer.listen(0, '127.0.0.1', r));
      const address = appServer.address();
      const graphPath = join(dir, 'datasets.yaml');
      writeFileSync(graphPath, GRAPH);
      process.env.TEST_RESOLVE_APP_URL = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/mamori`;
      process.env.TEST_RESOLVE_APP_SECRET = APP_SECRET;
      const store = await createTestStore(dialect);
      const policy = loadPolicyFile('examples/misskey-server/policy.yaml');
      if (!policy.ok) throw new Error('policy');
      const clock = createManualClock(new Date().toISOString());
      const server = await startServer({ policy: policy.loaded, config: { port: 0, host: '127.0.0.1', secret: Buffer.alloc(32, 7), dataDir: dir, baseUrl: 'http://mamori.test', graphPath }, env: {}, store, clock, outboxIntervalMs: 0 });
      t.after(async () => {
        await closeConnectorService(server.ctx);
        await server.close();
        await store.drop();
        await new Promise<void>((r) => appServer.close(() => r()));
        rmSync(dir, { recursive: true, force: true });
      });
      const db = server.ctx.store.db;
      const requests = requestServiceFor(server.ctx);
      const erasureRequest = async (email: string) => {
        const { id } = await requests.enterRequest('staff:s1', { kind: 'suspension', channel: 'privacy_email', email, description: '', lang: 'ja', documents: [] });
        await requests.confirmIdentity('staff:s1', id, '本人確認書類の氏名と登録情報が一致', { claims: [{ kind: 'email' }] });
        await requests.decide('staff:s1', id, { outcome: 'full', measure: 'erased' });
        return id;
      };
      const id = await erasureRequest('waive-me@example.jp');
      assert.equal(jobs.length, 1, 'the operator\'s app was asked to erase and accepted the job for later');

      const officer = await createStaffUser(db, clock, { email: 'officer@example.jp', role: 'officer', password: PASSWORD, actor: 'cli' });
      await createStaffUser(db, clock, { email: 'staff@example.jp', role: 'staff', password: PASSWORD, actor: 'cli' });
      const officerKey = (await createApiKey(db, clock, { name: 'officer tool', role: 'officer', actor: 'cli' })).key;
      const staffKey = (await createApiKey(db, clock, { name: 'staff tool', role: 'staff', actor: 'cli' })).key;
      const api = (path: string, key: string, body?: unknown) =>
        fetch(`${server.url}${path}`, body === undefined ? { headers: { authorization: `Bearer ${key}` } } : { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const systems = async (requestId: string) => systemsView.parse(await (await api(`/api/v1/requests/${requestId}/systems`, officerKey)).json());
      const codeOf = async (res: Response) => errorBody.parse(await res.json()).error.code;
      const auditCount = async () => Number((await db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

      const before = await systems(id);
      assert.deepEqual(before.blockers, ['waiting for billing_app to confirm completion']);
      const task = before.tasks.find((x) => x.kind === 'webhook');
      assert.ok(task);
      assert.equal(task.id, jobs[0]?.task_id);
      assert.equal((await fetch(`${server.url}/api/v1/console/requests/${id}/close`, { method: 'POST', headers: { authorization: `Bearer ${officerKey}` } })).status, 409, 'the awaited callback blocks closing');

      // The officer sees the actions on the systems page; a staff member sees none.
      const pagePath = `/console/requests/${id}/systems`;
      const officerJar = (await signIn(server.url, 'officer@example.jp', PASSWORD)).jar;
      const staffJar = (await signIn(server.url, 'staff@example.jp', PASSWORD)).jar;
      const page = (jar: typeof officerJar) => fetch(`${server.url}${pagePath}`, { headers: { cookie: jar.header(), accept: 'text/html' } }).then((r) => r.text());
      assert.match(await page(officerJar), new RegExp(`action="${pagePath}/callbacks/${task.id}"`));
      assert.doesNotMatch(await page(staffJar), /\/callbacks\//);

      const officerCsrf = await consoleCsrf(server.url, officerJar, pagePath);
      const staffCsrf = await consoleCsrf(server.url, staffJar, pagePath);
      const submit = (jar: typeof officerJar, fields: Record<string, string>) =>
        fetch(`${server.url}${pagePath}/callbacks/${task.id}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header(), accept: 'application/json' }, body: new URLSearchParams(fields) });

      const audited = await auditCount();
      const refused = [
        { res: await submit(officerJar, { action: 'waive', reason: 'no callback' }), status: 403, code: 'MAMORI_CSRF_INVALID' },
        { res: await submit(staffJar, { _csrf: staffCsrf, action: 'waive', reason: 'no callback' }), status: 403, code: 'MAMORI_FORBIDDEN' },
        { res: await submit(officerJar, { _csrf: officerCsrf, action: 'waive', reason: '' }), status: 400, code: 'MAMORI_CONNECTOR_WAIVE_REASON' },
        { res: await submit(officerJar, { _csrf: officerCsrf, action: 'waive', reason: '   ' }), status: 400, code: 'MAMORI_CONNECTOR_WAIVE_REASON' },
        { res: await submit(officerJar, { _csrf: officerCsrf, action: 'waive' }), status: 400, code: 'MAMORI_CONNECTOR_WAIVE_REASON' },
        { res: await api(`/api/v1/requests/${id}/systems/callbacks/${task.id}`, staffKey, { action: 'waive', reason: 'no callback' }), status: 403, code: 'MAMORI_FORBIDDEN' },
        { res: await api(`/api/v1/requests/${id}/systems/callbacks/${task.id}`, officerKey, { action: 'waive' }), status: 400, code: 'MAMORI_CONNECTOR_WAIVE_REASON' },
        { res: await api(`/api/v1/requests/${id}/systems/callbacks/${task.id}`, officerKey, { action: 'done', reason: '' }), status: 400, code: 'MAMORI_CONNECTOR_DONE_NOTE' },
      ];
      for (const [i, r] of refused.entries()) {
        assert.equal(r.res.status, r.status, `attempt ${i}`);
        assert.equal(await codeOf(r.res), r.code, `attempt ${i}`);
      }
      assert.deepEqual(await systems(id), before, 'refused attempts change nothing');
      assert.equal(await auditCount(), audited, 'refused attempts are not audited as changes');

      const reason = '先方の担当者に確認したところ、課金システムには該当する記録がありませんでした';
      const waived = await submit(officerJar, { _csrf: officerCsrf, action: 'waive', reason });
      assert.equal(waived.status, 303);
      const after = await systems(id);
      assert.deepEqual(after.blockers, []);
      assert.equal(after.tasks[0]?.status, 'waived');
      assert.equal(after.tasks[0]?.reason, reason);
      assert.equal(after.runs[0]?.status, 'done');
      assert.equal(after.runs[0]?.steps[0]?.status, 'skipped');
      assert.equal(after.runs[0]?.steps[0]?.collections[0]?.note, `waived: ${reason}`);
      const event = await db.selectFrom('audit_events').selectAll().where('action', '=', 'connector.callback_waived').executeTakeFirst();
      assert.ok(event);
      assert.equal(event.actor, `staff:${officer.id}`);
      assert.equal(event.target_id, id);
      assert.match(await page(officerJar), new RegExp(reason));
      assert.equal((await submit(officerJar, { _csrf: officerCsrf, action: 'waive', reason: 'again' })).status, 409, 'a resolved callback cannot be resolved twice');

      // The operator's app calls back late: answered 409 with a stable code, nothing recorded.
      const lateBody = JSON.stringify({ status: 'failed', error: 'late' });
      const ts = Math.floor(clock.now().getTime() / 1000);
      const callbackPath = new URL(jobs[0]?.callback_url ?? '').pathname;
      const postCallback = () => fetch(`${server.url}${callbackPath}`, { method: 'POST', headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: String(ts), [SIGNATURE_HEADER]: signWebhook(APP_SECRET, ts, lateBody) }, body: lateBody });
      const audited2 = await auditCount();
      const late = await postCallback();
      assert.equal(late.status, 409);
      assert.equal(await codeOf(late), 'MAMORI_CONNECTOR_CALLBACK_LATE');
      assert.deepEqual(await systems(id), after, 'the late callback changed nothing');
      assert.equal(await auditCount(), audited2);

      assert.equal((await fetch(`${server.url}/api/v1/console/requests/${id}/close`, { method: 'POST', headers: { authorization: `Bearer ${officerKey}` } })).status, 204, 'the request closes');

      // Through the staff API an officer confirms completion by hand instead.
      const id2 = await erasureRequest('confirm-me@example.jp');
      const task2 = (await systems(id2)).tasks[0];
      assert.ok(task2);
      // First the app reports a failure; the retried step calls the app again and awaits a fresh callback.
      const failedBody = JSON.stringify({ status: 'failed', error: 'temporarily locked' });
      const failedTs = Math.floor(clock.now().getTime() / 1000);
      const failed = await fetch(`${server.url}/api/v1/connectors/callbacks/${task2.id}`, { method: 'POST', headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: String(failedTs), [SIGNATURE_HEADER]: signWebhook(APP_SECRET, failedTs, failedBody) }, body: failedBody });
      assert.equal(failed.status, 200);
      clock.advance(5_000);
      const blocked = await fetch(`${server.url}/api/v1/console/requests/${id2}/close`, { method: 'POST', headers: { authorization: `Bearer ${officerKey}` } });
      assert.equal(blocked.status, 409, 'closing retried the step, which waits again');
      assert.equal(jobs.length, 3);
      assert.equal(jobs[2]?.task_id, task2.id);
      const retried = await systems(id2);
      assert.equal(retried.tasks[0]?.status, 'open');
      assert.deepEqual(retried.blockers, ['waiting for billing_app to confirm completion']);
      const note = 'Confirmed with the billing team by phone: the account was erased on their side';
      const done = await api(`/api/v1/requests/${id2}/systems/callbacks/${task2.id}`, officerKey, { action: 'done', reason: note });
      assert.equal(done.status, 200);
      const doneBody = z.object({ task: z.object({ status: z.string(), reason: z.string().nullable() }), blockers: z.array(z.string()) }).parse(await done.json());
      assert.deepEqual(doneBody, { task: { ...doneBody.task, status: 'done', reason: note }, blockers: [] });
      const afterDone = await systems(id2);
      assert.equal(afterDone.runs[0]?.steps[0]?.status, 'done');
      assert.equal(afterDone.runs[0]?.steps[0]?.collections[0]?.note, `confirmed by hand: ${note}`);
      const apiEvent = await db.selectFrom('audit_events').selectAll().where('action', '=', 'connector.callback_done_by_hand').executeTakeFirst();
      assert.ok(apiEvent);
      assert.match(apiEvent.actor, /^apikey:/);
      assert.equal((await api(`/api/v1/requests/${id}/systems/callbacks/${task2.id}`, officerKey, { action: 'waive', reason: 'x' })).status, 404, 'a task is resolved only under its own request');

      const openapi = z.object({ paths: z.record(z.string(), z.record(z.string(), z.unknown())) }).parse(await (await fetch(`${server.url}/api/v1/openapi.json`)).json());
      assert.ok(openapi.paths['/api/v1/requests/{id}/systems/callbacks/{taskId}']?.post);
    });
  });
}
