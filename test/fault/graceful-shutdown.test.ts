import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/store.ts';
import { createTestStore, storeDialects } from '../support/stores.ts';
import { agentFilingPolicy, serveProcess } from '../support/served-process.ts';
import { startSmtp } from '../requests/request-test-kit.ts';
import { fileStreamed } from '../hardening/upload-kit.ts';

/** One request on a new connection: its status, or the connection error's code. */
function probe(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = httpRequest(`${url}/healthz`, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    req.end();
  });
}

async function until<T>(what: string, fn: () => T | Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; ; i++) {
    const v = await fn();
    if (ok(v)) return v;
    if (i > 3000) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const dialect of storeDialects) {
  describe(`graceful shutdown on SIGTERM (${dialect})`, () => {
    test('filings in flight when SIGTERM arrives are finished and stored, new connections are refused, leases are released, exit code 0', { timeout: 180_000 }, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'mamori-sigterm-'));
      const spoolDir = join(dir, 'spool');
      const smtp = await startSmtp();
      const pgStore = dialect === 'postgres' ? await createTestStore('postgres', { migrate: false }) : undefined;
      await pgStore?.close();
      const databaseUrl = pgStore?.url ?? `sqlite:${join(dir, 'mamori.sqlite')}`;
      const server = await serveProcess(['--policy', agentFilingPolicy(dir)], {
        MAMORI_DATA_DIR: dir,
        MAMORI_SECRET: '22'.repeat(32),
        DATABASE_URL: databaseUrl,
        SMTP_URL: smtp.url,
        MAMORI_UPLOAD_SPOOL_DIR: spoolDir,
      });
      try {
        // A burst: six agent filings whose proofs are held back mid-body, plus plain filings before the signal.
        let open!: () => void;
        const gate = new Promise<void>((r) => (open = r));
        const inFlight = Array.from({ length: 6 }, (_, i) => fileStreamed(server.url, `inflight${i}@example.jp`, 1, 512 * 1024, gate));
        const before = await Promise.all(Array.from({ length: 4 }, (_, i) => fileStreamed(server.url, `before${i}@example.jp`, 1, 64 * 1024)));
        for (const r of before) assert.equal(r.status, 201, JSON.stringify(r.json));
        // The server is reading all six bodies: each has its proof open on the spool.
        await until('six uploads in flight', () => (existsSync(spoolDir) ? readdirSync(spoolDir).length : 0), (n) => n === 6);

        server.kill('SIGTERM');
        // It stops accepting: a new connection is refused (or answered 503 while closing), never served.
        const refused = await until('new connections refused', () => probe(server.url), (v) => v !== 200);
        assert.ok(refused === 'ECONNREFUSED' || refused === 503 || refused === 'ECONNRESET', `new request after SIGTERM got ${String(refused)}`);

        // The held bodies complete: every filing that was in flight is finished and acknowledged.
        open();
        const results = await Promise.all(inFlight);
        for (const r of results) assert.equal(r.status, 201, JSON.stringify(r.json));
        assert.equal(await server.exited, 0, server.output());
        assert.doesNotMatch(server.output(), /unhandled|uncaught|FATAL/i);

        // Every acknowledged filing exists with its proof; nothing is left on the spool; no lease is held.
        const store = await openStore(databaseUrl);
        try {
          const acknowledged = [...before, ...results].map((r) => String(r.json.id));
          const rows = await store.db.selectFrom('requests').select('id').execute();
          assert.deepEqual(rows.map((r) => r.id).sort(), acknowledged.sort());
          const files = await store.db.selectFrom('request_files').select('request_id').execute();
          assert.equal(files.length, 10);
          const leased = await store.db.selectFrom('mail_outbox').select('id').where('locked_until', 'is not', null).execute();
          assert.deepEqual(leased, [], 'no mail is left under a lease');
          const runs = await store.db.selectFrom('connector_runs').select('id').where('lease_owner', 'is not', null).execute();
          assert.deepEqual(runs, []);
        } finally {
          await store.close();
        }
        assert.deepEqual(readdirSync(spoolDir), []);
      } finally {
        server.kill('SIGKILL');
        await server.exited;
        await smtp.stop();
        await pgStore?.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
