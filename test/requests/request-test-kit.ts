import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { createManualClock, type ManualClock } from '../../src/clock.ts';
import { createSmtpTransport } from '../../src/mail/smtp-transport.ts';
import { loadPolicyFile, type LoadedPolicy } from '../../src/policy/load-policy.ts';
import type { RequestHooks } from '../../src/requests/request-hooks.ts';
import { closeConnectorService } from '../../src/connectors/connector-request-hooks.ts';
import { createRequestService, requestServiceFor, type RequestService } from '../../src/requests/request-service.ts';
import type { RequestRateLimits } from '../../src/requests/rate-limit.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import type { StoreDialect } from '../../src/store/store.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';

/** Helpers shared by the request workflow tests: a real SMTP server, a real store, a server on port 0. */

export const MISSKEY_POLICY = 'examples/misskey-server/policy.yaml';
/** Our own small fixture: a fee configured on a correction (refused by law), a kind offered by post only. */
export const HOSTING_POLICY = 'test/fixtures/requests/hosting-postal.yaml';
export const HOSTING_EXAMPLE = 'examples/hosting/policy.yaml';
export const ASSERTION_SECRET = 'assertion-secret-for-tests-0123456789';
export const WEBHOOK_SECRET = 'webhook-secret-for-tests-0123456789';

export function loadPolicy(path: string): LoadedPolicy {
  const r = loadPolicyFile(path);
  if (!r.ok) throw new Error(`fixture policy ${path} does not load: ${JSON.stringify(r.issues.slice(0, 3))}`);
  return r.loaded;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface TestSmtp {
  url: string;
  port: number;
  mails: ParsedMail[];
  /** Waits until a mail to `to` whose subject matches arrives; returns it. */
  waitFor(match: { to?: string; subject?: RegExp }, timeoutMs?: number): Promise<ParsedMail>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A real SMTP server (smtp-server) that parses every mail with mailparser. */
export async function startSmtp(port?: number): Promise<TestSmtp> {
  const p = port ?? (await freePort());
  const mails: ParsedMail[] = [];
  let server: SMTPServer | undefined;
  const make = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, cb) {
        simpleParser(stream).then((m) => { mails.push(m); cb(); }, (err: Error) => cb(err));
      },
    });
  const kit: TestSmtp = {
    url: `smtp://127.0.0.1:${p}`,
    port: p,
    mails,
    async waitFor(match, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = mails.find((m) => (!match.to || (m.to && !Array.isArray(m.to) && m.to.text.includes(match.to))) && (!match.subject || match.subject.test(m.subject ?? '')));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no mail matching ${String(match.subject)} to ${match.to ?? '*'}; got: ${mails.map((m) => m.subject).join(' | ')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async start() {
      server = make();
      await new Promise<void>((resolve, reject) => {
        server?.once('error', reject);
        server?.listen(p, '127.0.0.1', () => resolve());
      });
    },
    async stop() {
      const s = server;
      server = undefined;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
  await kit.start();
  return kit;
}

export interface TestApp {
  server: RunningServer;
  url: string;
  clock: ManualClock;
  store: TestStore;
  smtp: TestSmtp;
  service: RequestService;
  /** Sends every queued mail now (the outbox runs by hand in tests). */
  drain(): Promise<{ sent: number; failed: number }>;
  close(): Promise<void>;
}

export async function startApp(dialect: StoreDialect, policyPath: string, opts: { hooks?: RequestHooks[]; smtp?: TestSmtp; start?: string; graphPath?: string } = {}): Promise<TestApp> {
  const store = await createTestStore(dialect);
  const smtp = opts.smtp ?? (await startSmtp());
  const clock = createManualClock(opts.start ?? '2026-04-01T00:00:00Z');
  const dataDir = mkdtempSync(join(tmpdir(), 'mamori-req-'));
  const transport = createSmtpTransport(smtp.url);
  const server = await startServer({
    policy: loadPolicy(policyPath),
    config: { port: 0, host: '127.0.0.1', secret: Buffer.alloc(32, 7), dataDir, assertionSecret: ASSERTION_SECRET, paymentWebhookSecret: WEBHOOK_SECRET, baseUrl: 'http://mamori.test', ...(opts.graphPath ? { graphPath: opts.graphPath } : {}) },
    env: {},
    store,
    clock,
    transport,
    outboxIntervalMs: 0,
    ...(opts.hooks ? { requestHooks: opts.hooks } : {}),
  });
  return {
    server,
    url: server.url,
    clock,
    store,
    smtp,
    service: requestServiceFor(server.ctx),
    drain: () => server.ctx.outbox.drainOnce(),
    async close() {
      await server.close();
      await closeConnectorService(server.ctx);
      transport.close();
      await smtp.stop();
      await store.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A request service of `app` with its own rate limits (over the built-in ones), no hooks. */
export function serviceWithLimits(app: TestApp, limits: Partial<RequestRateLimits>): RequestService {
  return createRequestService({ store: app.store, clock: app.clock, config: app.server.ctx.config, policy: app.server.ctx.policy.policy, hooks: [], limits });
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { headers });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** The error code of a JSON error answer. */
export function errorCode(json: Record<string, unknown>): string | undefined {
  const e = json.error;
  return e && typeof e === 'object' && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/** The 6-digit code in the latest code mail to `to`. */
export async function codeFromMail(app: TestApp, to: string): Promise<string> {
  await app.drain();
  const mails = app.smtp.mails.filter((m) => m.to && !Array.isArray(m.to) && m.to.text.includes(to) && /確認コード|confirmation code/i.test(m.subject ?? ''));
  const last = mails.at(-1);
  const m = last?.text ? /(\d{6})/.exec(last.subject ?? '') : null;
  if (!m?.[1]) throw new Error(`no code mail to ${to}`);
  return m[1];
}

/** A tiny valid PDF and PNG for uploads (recognized by their first bytes). */
export const PDF_BYTES = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
export const PNG_BYTES = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32, 1)]);

/** A disclosure with a fee (the Misskey or hosting example's), verified by its email code: it now waits for payment. */
export async function fileUnpaidDisclosure(app: TestApp, email: string): Promise<{ id: string; token: string }> {
  const filed = await postJson(`${app.url}/api/v1/requests`, { kind: 'disclosure', email, account_id: 'hana', description: 'アカウント情報', delivery: 'electronic', lang: 'ja' });
  if (filed.status !== 201) throw new Error(`filing failed: ${JSON.stringify(filed.json)}`);
  const id = String(filed.json.id);
  const token = String(filed.json.token);
  const verified = await postJson(`${app.url}/api/v1/requests/${id}/verify`, { code: await codeFromMail(app, email) }, { 'x-request-token': token });
  if (verified.json.state !== 'awaiting_payment') throw new Error(`expected awaiting_payment, got ${String(verified.json.state)}`);
  return { id, token };
}
