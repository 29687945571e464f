import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/server.ts';
import { parsePolicy, type LoadedPolicy } from '../../src/policy/load-policy.ts';
import type { StoreDialect } from '../../src/store/store.ts';
import { createConsentApiKey } from '../../src/consent/consent-api-keys.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';

export const ASSERTION_SECRET = 'test-assertion-secret-0123456789';
export const ALLOWED_ORIGIN = 'http://shop.example.test';

/** The consent fixture policy (analytics: consent, error_reports: opt_out, ads: consent + GPC, service: none). */
export function loadFixturePolicy(transform: (yaml: string) => string = (y) => y): LoadedPolicy {
  const source = transform(readFileSync(new URL('./fixtures/policy.yaml', import.meta.url), 'utf8'));
  const result = parsePolicy(source, 'policy.yaml');
  if (!result.ok) throw new Error(`fixture policy invalid: ${result.issues.map((i) => i.message).join('; ')}`);
  return result.loaded;
}

export interface ConsentTestServer {
  server: RunningServer;
  store: TestStore;
  url: string;
  apiKey: string;
  close(): Promise<void>;
}

/** A real mamori server on port 0 with a fresh database and a consent API key. */
export async function startConsentServer(dialect: StoreDialect, opts: { corsOrigins?: string[]; policy?: LoadedPolicy } = {}): Promise<ConsentTestServer> {
  const store = await createTestStore(dialect);
  const server = await startServer({
    policy: opts.policy ?? loadFixturePolicy(),
    store,
    env: {},
    outboxIntervalMs: 0,
    config: { port: 0, host: '127.0.0.1', secret: Buffer.alloc(32, 7), dataDir: mkdtempSync(join(tmpdir(), 'mamori-consent-')), corsOrigins: opts.corsOrigins ?? [ALLOWED_ORIGIN], assertionSecret: ASSERTION_SECRET },
  }).catch(async (err: unknown) => {
    await store.drop();
    throw err;
  });
  const { key } = await createConsentApiKey(store.db, server.ctx.clock, { label: 'test', actor: 'cli' });
  return {
    server,
    store,
    url: server.url,
    apiKey: key,
    async close() {
      await server.close();
      await store.drop();
    },
  };
}

export function anonId(): string {
  return `anon_${Math.random().toString(36).slice(2, 12)}${Date.now().toString(36)}xx`;
}
