import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/server.ts';
import { loadPolicyFile, formatIssues, type LoadedPolicy } from '../../src/policy/load-policy.ts';
import type { StoreDialect } from '../../src/store/store.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';
import type { Clock } from '../../src/clock.ts';
import type { MailTransport } from '../../src/mail/outbox.ts';

export interface TestServer extends RunningServer {
  store: TestStore;
  stop(): Promise<void>;
}

/** Parses a policy without linting: these tests are about staff accounts, not about the example's completeness. */
export function parsedPolicy(path: string): LoadedPolicy {
  const result = loadPolicyFile(path);
  if (!result.ok) throw new Error(formatIssues(result.issues));
  return result.loaded;
}

/** A real server on port 0 over a fresh store; `stop()` closes it and drops the store. */
export async function startTestServer(dialect: StoreDialect, opts: { policy?: string; clock?: Clock; transport?: MailTransport; config?: Record<string, unknown> } = {}): Promise<TestServer> {
  const store = await createTestStore(dialect);
  const server = await startServer({
    policy: parsedPolicy(opts.policy ?? 'examples/misskey-server/policy.yaml'),
    store,
    env: {},
    outboxIntervalMs: 0,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.transport ? { transport: opts.transport } : {}),
    config: { port: 0, host: '127.0.0.1', secret: Buffer.alloc(32, 7), dataDir: mkdtempSync(join(tmpdir(), 'mamori-staff-')), ...opts.config },
  });
  return { ...server, store, async stop() { await server.close(); await store.drop(); } };
}

/** Collects cookies like a browser would (enough for these tests: name=value, no paths). */
export class CookieJar {
  readonly cookies = new Map<string, string>();
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq < 0) continue;
      const value = pair.slice(eq + 1);
      if (value === '' || /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export function hiddenValue(page: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(page);
  if (!m?.[1]) throw new Error(`no hidden field ${name} on the page`);
  return m[1];
}

/** Signs in through the login form and returns the jar holding the session cookie. */
export async function signIn(url: string, email: string, password: string): Promise<{ jar: CookieJar; res: Response }> {
  const jar = new CookieJar();
  const form = await fetch(`${url}/console/login`, { headers: { accept: 'text/html', 'accept-language': 'ja' } });
  jar.take(form);
  const csrf = hiddenValue(await form.text(), '_csrf');
  const res = await fetch(`${url}/console/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header(), accept: 'text/html' },
    body: new URLSearchParams({ email, password, _csrf: csrf, next: '/console' }),
  });
  jar.take(res);
  return { jar, res };
}

/** The console CSRF token, read from a console page's sign-out form. */
export async function consoleCsrf(url: string, jar: CookieJar, path = '/console'): Promise<string> {
  const res = await fetch(`${url}${path}`, { headers: { cookie: jar.header(), accept: 'text/html' } });
  return hiddenValue(await res.text(), '_csrf');
}
