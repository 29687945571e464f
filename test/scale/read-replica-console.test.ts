import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/server.ts';
import { createIncident } from '../../src/records/incidents.ts';
import { createStaffUser } from '../../src/staff/staff-users.ts';
import { createTestStore } from '../support/stores.ts';
import { parsedPolicy, signIn, startTestServer } from '../staff/console-helpers.ts';

const OFFICER = { email: 'officer@example.test', password: 'a long enough password 123' };

async function fileRequest(url: string, email: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'correction', email, description: '登録内容の訂正', lang: 'ja' }) });
  assert.equal(res.status, 201);
  const body: unknown = await res.json();
  assert.ok(typeof body === 'object' && body !== null && 'id' in body && typeof body.id === 'string');
  return body.id;
}

test('with DATABASE_READ_URL the console queue, incidents and statistics read the replica; a request page reads the primary', async () => {
  // The "replica" is a second database holding marker rows the primary does not have: what the console lists shows
  // which connection it came through.
  const replica = await createTestStore('postgres');
  const dataDir = mkdtempSync(join(tmpdir(), 'mamori-replica-'));
  const onReplica = await startServer({ policy: parsedPolicy('examples/misskey-server/policy.yaml'), store: replica, env: {}, outboxIntervalMs: 0, jobsIntervalMs: 0, config: { port: 0, host: '127.0.0.1', secret: Buffer.alloc(32, 7), dataDir } });
  let marker = '';
  try {
    marker = await fileRequest(onReplica.url, 'replica-only@example.test');
    await createIncident(replica.db, onReplica.ctx.clock, 'cli', { title: 'レプリカにだけある事故', discoveredAt: onReplica.ctx.clock.now().toISOString(), description: 'marker', sensitiveData: false, affectedCount: 1 });
  } finally {
    await onReplica.close();
  }
  const server = await startTestServer('postgres', { config: { databaseReadUrl: replica.url } });
  try {
    assert.notEqual(server.ctx.read, server.ctx.store, 'a second store was opened for DATABASE_READ_URL');
    const onPrimary = await fileRequest(server.url, 'primary@example.test');
    await createStaffUser(server.ctx.store.db, server.ctx.clock, { email: OFFICER.email, role: 'officer', password: OFFICER.password, actor: 'cli' });
    const { jar } = await signIn(server.url, OFFICER.email, OFFICER.password);
    const get = async (path: string) => {
      const res = await fetch(`${server.url}${path}`, { headers: { cookie: jar.header(), accept: 'text/html', 'accept-language': 'ja' } });
      return { status: res.status, text: await res.text() };
    };
    const rowsOf = (page: string) => [...page.matchAll(/<a href="\/console\/requests\/(req_[a-z0-9]+)">/g)].map((m) => m[1]);

    const queue = await get('/console?scope=unconfirmed');
    assert.equal(queue.status, 200);
    assert.deepEqual(rowsOf(queue.text), [marker], 'the queue lists what the read connection holds');
    const incidents = await get('/console/incidents');
    assert.match(incidents.text, /レプリカにだけある事故/);
    const statistics = await get('/console/statistics');
    assert.equal(statistics.status, 200);
    assert.match(statistics.text, /漏えい等事案: 1件/, 'the replica\'s incident is counted (the primary has none)');

    // Sign-in, filing and one request's own page go to the primary.
    const own = await get(`/console/requests/${onPrimary}`);
    assert.equal(own.status, 200);
    assert.match(own.text, /primary@example\.test/);
    assert.equal((await get(`/console/requests/${marker}`)).status, 404, 'the replica\'s marker is not on the primary');
  } finally {
    await server.stop();
    await replica.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
