import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from './clock.ts';
import { loadConfig, type Config } from './config.ts';
import type { AppContext } from './context.ts';
import { MamoriError } from './errors.ts';
import { buildApp } from './http/app.ts';
import { createOutboxSender, type MailTransport } from './mail/outbox.ts';
import { createSmtpTransport } from './mail/smtp-transport.ts';
import { mailSender } from './mail/mail-sender.ts';
import { formatIssues, loadPolicyFile, localize, type LoadedPolicy } from './policy/load-policy.ts';
import { lintPolicy } from './policy/lint.ts';
import { migrateToLatest } from './store/migrate.ts';
import { openStore, type Store } from './store/store.ts';
import type { RequestHooks } from './requests/request-hooks.ts';
import { createConsentRequestHooks } from './consent/consent-request-hooks.ts';
import { createRecordsRequestHooks } from './records/record-request-hooks.ts';
import { createConnectorRequestHooks, startConnectorWorker } from './connectors/connector-request-hooks.ts';
import { registerAuditKey } from './audit/audit-key.ts';

export interface StartOptions {
  /** Path of the policy file, or an already loaded policy. */
  policy: string | LoadedPolicy;
  config?: Partial<Config>;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** Mail transport; defaults to SMTP from SMTP_URL, or none (mail waits in the outbox). */
  transport?: MailTransport;
  /** Use this store instead of opening DATABASE_URL (tests). */
  store?: Store;
  /** Extra request hooks (tests); the built-in domains' hooks are always registered. */
  requestHooks?: RequestHooks[];
  /** Drain the outbox every N ms (0 = never; tests drain by hand). Default 2000. */
  outboxIntervalMs?: number;
}

export interface RunningServer {
  app: FastifyInstance;
  ctx: AppContext;
  url: string;
  close(): Promise<void>;
}

/** Loads the policy and refuses one that fails to parse or lint, naming every problem. */
export function loadLintedPolicy(path: string): LoadedPolicy {
  const result = loadPolicyFile(path);
  if (!result.ok) throw new MamoriError('MAMORI_POLICY_INVALID', `The policy file has errors:\n${formatIssues(result.issues)}`);
  const problems = lintPolicy(result.loaded).filter((i) => i.severity === 'error');
  if (problems.length > 0) throw new MamoriError('MAMORI_POLICY_LINT_FAILED', `The policy has lint errors:\n${formatIssues(problems)}`);
  return result.loaded;
}

/** Builds the context (store migrated, outbox ready) without listening. */
export async function createContext(opts: StartOptions): Promise<AppContext> {
  const config = loadConfig(opts.env ?? process.env, opts.config ?? {});
  const policy = typeof opts.policy === 'string' ? loadLintedPolicy(opts.policy) : opts.policy;
  const store = opts.store ?? (await openStore(config.databaseUrl));
  await migrateToLatest(store);
  registerAuditKey(store.db, config.secret);
  const clock = opts.clock ?? systemClock;
  const transport = opts.transport ?? (config.smtpUrl ? createSmtpTransport(config.smtpUrl) : undefined);
  const outbox = createOutboxSender({ store, clock, transport, from: mailSender(config.mailFrom, localize(policy.policy.service.name, 'ja')) });
  const base = { store, clock, config, outbox, policy };
  const requestHooks = [createConsentRequestHooks(base), createRecordsRequestHooks(base), createConnectorRequestHooks(base), ...(opts.requestHooks ?? [])];
  return { ...base, requestHooks };
}

/**
 * Starts mamori: migrations applied, outbox running, HTTP listening.
 * @example const server = await startServer({ policy: 'examples/misskey-server/policy.yaml', config: { port: 0 } });
 */
export async function startServer(opts: StartOptions): Promise<RunningServer> {
  const ctx = await createContext(opts);
  const app = await buildApp(ctx);
  await app.listen({ host: ctx.config.host, port: ctx.config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : ctx.config.port;
  const interval = opts.outboxIntervalMs ?? 2000;
  if (interval > 0) ctx.outbox.start(interval);
  const connectorWorker = startConnectorWorker(ctx, interval);
  return {
    app,
    ctx,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await ctx.outbox.stop();
      await connectorWorker.stop();
      await app.close();
      if (!opts.store) await ctx.store.close();
    },
  };
}
