import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster } from './scale-kit.ts';
import { anonId } from '../consent/consent-server.ts';
import { addMonths, monthOf } from '../../src/consent/receipt-partitions.ts';

test('receipts of a period stream out as JSON Lines, oldest first, from the read store', async () => {
  // DATABASE_READ_URL pointed at the primary itself stands in for a replica.
  const cluster = await startCluster(1, { readReplica: true });
  try {
    const [s] = cluster.instances;
    assert.notEqual(s!.ctx.read, s!.ctx.store);
    const auth = { authorization: `Bearer ${cluster.apiKey}` };
    const subjects = [anonId(), anonId(), anonId()];
    for (const subject of subjects) {
      const res = await fetch(`${s!.url}/api/v1/consents`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ subject, choices: { analytics: true }, method: 'api' }) });
      assert.equal(res.status, 201);
    }
    const month = monthOf(new Date());
    const res = await fetch(`${s!.url}/api/v1/consents/export?from=${month}&to=${addMonths(month, 1)}`, { headers: auth });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /ndjson/);
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { subject: string; proof: string; recordedAt: string });
    assert.deepEqual(lines.map((l) => l.subject), subjects);
    assert.ok(lines.every((l) => l.proof.length > 20));
    const none = await fetch(`${s!.url}/api/v1/consents/export?from=${addMonths(month, 1)}&to=${addMonths(month, 2)}`, { headers: auth });
    assert.equal((await none.text()).trim(), '');
    assert.equal((await fetch(`${s!.url}/api/v1/consents/export?from=x&to=y`, { headers: auth })).status, 400);
    assert.equal((await fetch(`${s!.url}/api/v1/consents/export?from=${month}&to=${month}`)).status, 401);
  } finally {
    await cluster.close();
  }
});
