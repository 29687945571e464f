import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer, type StartOptions } from '../../src/server.ts';
import { createConsentApiKey } from '../../src/consent/consent-api-keys.ts';
import { loadFixturePolicy } from '../consent/consent-server.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';

export interface Cluster {
  store: TestStore;
  instances: RunningServer[];
  apiKey: string;
  close(): Promise<void>;
}

/**
 * `count` mamori instances on one fresh PostgreSQL database, each with its own pool, change feed and workers, as
 * several processes behind a load balancer would run.
 */
export async function startCluster(count: number, opts: Partial<StartOptions> & { readReplica?: boolean } = {}): Promise<Cluster> {
  const store = await createTestStore('postgres');
  const instances: RunningServer[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      instances.push(
        await startServer({
          policy: loadFixturePolicy(),
          env: {},
          outboxIntervalMs: 0,
          jobsIntervalMs: 0, // the tests tick by hand
          ...opts,
          config: { port: 0, host: '127.0.0.1', databaseUrl: store.url, secret: Buffer.alloc(32, 7), dataDir: mkdtempSync(join(tmpdir(), 'mamori-scale-')), corsOrigins: [], ...(opts.readReplica ? { databaseReadUrl: store.url } : {}), ...opts.config },
        }),
      );
    }
  } catch (err) {
    for (const s of instances) await s.close();
    await store.drop();
    throw err;
  }
  const { key } = await createConsentApiKey(store.db, instances[0]!.ctx.clock, { label: 'scale test', actor: 'cli' });
  return {
    store,
    instances,
    apiKey: key,
    async close() {
      for (const s of instances) await s.close();
      await store.drop();
    },
  };
}

/** Polls `check` until it returns true or `boundMs` passes; returns the time it took, or null when it never did. */
export async function waitUntil(check: () => Promise<boolean>, boundMs: number): Promise<number | null> {
  const start = performance.now();
  while (performance.now() - start < boundMs) {
    if (await check()) return performance.now() - start;
    await new Promise((r) => setTimeout(r, 10));
  }
  return null;
}
