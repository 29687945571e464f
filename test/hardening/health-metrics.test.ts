import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { storeDialects } from '../support/stores.ts';
import { startTestServer } from '../staff/console-helpers.ts';
import { credentialsForEveryRole } from './hardening-kit.ts';

for (const dialect of storeDialects) {
  describe(`health, readiness and metrics (${dialect})`, () => {
    test('/healthz answers, /readyz checks database and migrations, /metrics is Prometheus text behind a staff key', async () => {
      const server = await startTestServer(dialect);
      try {
        assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
        const ready = await fetch(`${server.url}/readyz`);
        assert.equal(ready.status, 200);
        assert.deepEqual(await ready.json(), { status: 'ready', database: true, pendingMigrations: 0 });

        const filed = await fetch(`${server.url}/api/v1/requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'purpose_notice', email: 'metrics@example.jp', lang: 'ja' }) });
        assert.equal(filed.status, 201);
        assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
        const key = (await credentialsForEveryRole(server)).auditor.apiKey;
        const metrics = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${key}` } });
        assert.equal(metrics.status, 200);
        assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
        const text = await metrics.text();
        assert.match(text, /^mamori_requests\{state="awaiting_verification"\} 1$/m);
        assert.match(text, /^mamori_requests_overdue 0$/m);
        assert.match(text, /^mamori_outbox_backlog 1$/m);
        assert.match(text, /^mamori_connector_runs_waiting 0$/m);
        assert.match(text, /^mamori_breach_deadlines_due 0$/m);
        // The instance's own figures: on PostgreSQL the preference cache has preloaded the (empty) table.
        assert.match(text, /^# TYPE mamori_preference_cache_hits_total counter$/m);
        assert.match(text, /^mamori_preference_cache_subjects 0$/m);
        assert.match(text, new RegExp(`^mamori_preference_cache_complete ${dialect === 'postgres' ? 1 : 0}$`, 'm'));
        assert.doesNotMatch(text, /@/);

        const last = await sql<{ name: string }>`select name from kysely_migration order by name desc limit 1`.execute(server.store.db);
        await sql`delete from kysely_migration where name = ${last.rows[0]?.name ?? ''}`.execute(server.store.db);
        const notReady = await fetch(`${server.url}/readyz`);
        assert.equal(notReady.status, 503);
        assert.deepEqual(await notReady.json(), { status: 'not_ready', database: true, pendingMigrations: 1 });
      } finally {
        await server.stop();
      }
    });
  });
}
