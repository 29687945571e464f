import { connectionDrain } from './http/connection-drain.ts';
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
import { createChangeFeed } from './store/change-feed.ts';
import { createMetrics } from './metrics.ts';
import { startScheduledJobs, type ScheduledJobs } from './jobs/scheduled-jobs.ts';
import type { RequestHooks } from './requests/request-hooks.ts';
import { createConsentRequestHooks } from './consent/consent-request-hooks.ts';
import { createRecordsRequestHooks } from './records/record-request-hooks.ts';
import { createConnectorRequestHooks, startConnectorWorker } from './connectors/connector-request-hooks.ts';
import { registerAuditKey } from './audit/audit-key.ts';
import { assertNoRotationUnderway } from './secret/secret-rotation-state.ts';
import { assertStoreSecret } from './audit/audit-secret-check.ts';
import { siteAuditScheduleFromEnv, startSiteAuditSchedule } from './site-audit/site-audit-schedule.ts';

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
  /** Offer the scheduled jobs (purge, audit verification, reminders, partitions) every N ms (0 = by hand); default 60 s. */
  jobsIntervalMs?: number;
}

export interface RunningServer {
  app: FastifyInstance;
  ctx: AppContext;
  url: string;
  /** The scheduled jobs of this instance (`tickOnce()` in tests); each slot runs on one instance only. */
  jobs: ScheduledJobs;
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
  await assertNoRotationUnderway(store.db);
  await assertStoreSecret(store.db, config.secret);
  registerAuditKey(store.db, config.secret);
  const clock = opts.clock ?? systemClock;
  const transport = opts.transport ?? (config.smtpUrl ? createSmtpTransport(config.smtpUrl) : undefined);
  const outbox = createOutboxSender({ store, clock, transport, from: mailSender(config.mailFrom, localize(policy.policy.service.name, 'ja')) });
  const changes = await createChangeFeed({ dialect: store.dialect, ...(store.url ? { url: store.url } : {}), db: store.db });
  // A replica lags its primary by a little: only reads that tolerate that (lists, statistics, exports) go there.
  const read = config.databaseReadUrl ? await openStore(config.databaseReadUrl) : store;
  const base = { store, read, clock, config, outbox, policy, changes, metrics: createMetrics() };
  const requestHooks = [createConsentRequestHooks(base), createRecordsRequestHooks(base), createConnectorRequestHooks(base), ...(opts.requestHooks ?? [])];
  return { ...base, requestHooks };
}

/**
 * Starts mamori: migrations applied, outbox running, HTTP listening.
 * @example const server = await startServer({ policy: 'examples/misskey-server/policy.yaml', config: { port: 0 } });
 */
export async function startServer(opts: StartOptions): Promise<RunningServer> {
  const ctx = await createContext(opts);
  // Read before listening, so a bad MAMORI_SITE_AUDIT_* value stops start-up.
  const siteAuditSchedule = siteAuditScheduleFromEnv(opts.env ?? process.env);
  const app = await buildApp(ctx);
  ctx.outbox.setLogger(app.log);
  try {
    await app.listen({ host: ctx.config.host, port: ctx.config.port });
  } catch (err) {
    // A busy port must not leave the store's pool open behind the error.
    await app.close();
    if (!opts.store) await ctx.store.close();
    throw err;
  }
  const drain = connectionDrain(app.server);
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : ctx.config.port;
  const interval = opts.outboxIntervalMs ?? 2000;
  if (interval > 0) ctx.outbox.start(interval);
  const connectorWorker = startConnectorWorker(ctx, interval);
  const siteAudits = siteAuditSchedule ? startSiteAuditSchedule(ctx, siteAuditSchedule) : undefined;
  const purgeSetting = Number(opts.env?.MAMORI_RECORDS_PURGE_HOURS ?? process.env.MAMORI_RECORDS_PURGE_HOURS ?? 24);
  const purgeHours = Number.isFinite(purgeSetting) && purgeSetting >= 0 ? purgeSetting : 24;
  // Each instance offers the jobs every minute (or as often as a shorter purge period needs); the slots decide.
  const jobsEvery = opts.jobsIntervalMs ?? Math.min(60_000, purgeHours > 0 ? Math.max(100, purgeHours * 3600_000) : 60_000);
  const jobs = startScheduledJobs(ctx, jobsEvery, { purgeHours }, (job, err) =>
    app.log.error({ job, err: { type: err instanceof Error ? err.name : 'error' } }, 'scheduled job failed'),
  );
  return {
    app,
    ctx,
    url: `http://127.0.0.1:${port}`,
    jobs,
    async close() {
      // Stop accepting and finish the requests in flight first (their connections end with their answers), then
      // let the workers finish what they hold and release their leases, then close the stores.
      drain.closing();
      await app.close();
      await jobs.stop();
      await ctx.outbox.stop();
      await connectorWorker.stop();
      await siteAudits?.stop();
      await ctx.changes.close();
      if (ctx.read !== ctx.store) await ctx.read.close();
      if (!opts.store) await ctx.store.close();
    },
  };
}
