import { hostname } from 'node:os';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { appendAudit, type Actor } from '../audit/audit-log.ts';
import { MamoriError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { DbOrTrx, Store } from '../store/store.ts';
import './connector-errors.ts';
import { isSqlDataset, runKinds, type DatasetGraph, type GraphDataset, type RunKind, type SqlEngine } from './graph-schema.ts';
import { planDataset } from './graph-plan.ts';
import { openSealedJson, sealJson } from './sealed-json.ts';
import { createSqlExecutor, readErasureCatalog, type ErasureCatalog, type SqlExecutorOptions } from './sql/sql-executor.ts';
import { openSqlConnection } from './sql/open-sql-connection.ts';
import { resolveIdentities, type IdentityResolutionResult } from './resolve-identities.ts';
import { createConnectorTaskMethods } from './connector-tasks.ts';
import type { SqlConnection, SqlQueryable } from './sql/sql-connection.ts';
import { safeError, stepStatuses, type DatasetOutcome, type StepStatus } from './step-outcome.ts';
import { detailSchema, runFoundNoData, type RunReport, type RunStatus } from './run-report.ts';

export { runFoundNoData, type RunReport, type RunStatus } from './run-report.ts';
import { callWebhook } from './webhook/webhook-executor.ts';

const runStatuses: readonly RunStatus[] = ['queued', 'running', 'waiting', 'done', 'failed'];

const payloadSchema = z.object({
  identities: z.record(z.string(), z.string()),
  corrections: z.array(z.object({ field: z.string(), after: z.unknown() })).default([]),
});
const groupsSchema = z.array(z.object({ name: z.string(), rows: z.array(z.record(z.string(), z.unknown())) }));
const resultSchema = z.object({ groups: groupsSchema.optional(), corrections: z.array(z.object({ field: z.string(), before: z.array(z.unknown()), after: z.unknown(), count: z.number() })).optional() });

export interface ConnectorServiceOptions {
  store: Store;
  clock: Clock;
  graph: DatasetGraph;
  /** Key for sealing identities/results and for `hash` masking (MAMORI_SECRET). */
  secret: Buffer;
  /** Where `url_env` / `secret_env` names are looked up (process.env in production). */
  env: Record<string, string | undefined>;
  /** Public base URL, for webhook callbacks. */
  baseUrl: string;
  /** Ready connections by dataset id (tests, CLI); others are opened from `env` on first use. */
  connections?: Record<string, SqlConnection>;
  executor?: SqlExecutorOptions;
  /** A worker's identity in leases. */
  owner?: string;
  leaseMs?: number;
  /** Failed runs are retried this many times in total before they stay failed. */
  maxAttempts?: number;
  fetch?: typeof fetch;
  webhookBackoffMs?: number;
  /** Called after each system's step is recorded (CLI progress). Gets no data, only the outcome's status and count. */
  onStep?: (step: { runId: string; dataset: string; index: number; total: number; status: StepStatus; count: number }) => void;
}

export interface QueueRunInput {
  requestId?: string | null;
  kind: RunKind;
  identities: Record<string, string>;
  corrections?: Array<{ field: string; after: unknown }>;
  dryRun?: boolean;
  actor?: Actor;
}

/** A run as its claim returns it (drivers give numbers as numbers or strings: coerce). */
const claimedRun = z.object({ id: z.string(), request_id: z.string().nullable(), kind: z.string(), dry_run: z.coerce.number(), payload_sealed: z.string(), attempts: z.coerce.number() });
type ClaimedRun = z.infer<typeof claimedRun>;

function parseKind(v: string): RunKind {
  const k = runKinds.find((x) => x === v);
  if (!k) throw new Error('corrupt run kind');
  return k;
}
function parseRunStatus(v: string): RunStatus {
  const s = runStatuses.find((x) => x === v);
  if (!s) throw new Error('corrupt run status');
  return s;
}
function parseStepStatus(v: string): StepStatus {
  const s = stepStatuses.find((x) => x === v);
  if (!s) throw new Error('corrupt step status');
  return s;
}

/**
 * The connector run ledger and its worker: queue a run, claim runs from the database under a lease
 * (`FOR UPDATE SKIP LOCKED` on PostgreSQL), run each system's step once, record every outcome.
 * @example const svc = createConnectorService({ store, clock, graph, secret, env: process.env, baseUrl });
 *          const id = await svc.queueRun({ kind: 'erase', identities: { email } }); await svc.workUntilIdle();
 */
export function createConnectorService(opts: ConnectorServiceOptions) {
  const { store, clock, graph, secret } = opts;
  const db = store.db;
  const owner = opts.owner ?? `${hostname()}:${process.pid}:${newId('w').slice(2, 10)}`;
  const leaseMs = opts.leaseMs ?? 60_000;
  const maxAttempts = opts.maxAttempts ?? 3;
  const conns = new Map<string, SqlConnection>(Object.entries(opts.connections ?? {}));
  const opened: SqlConnection[] = [];
  const plans = new Map(graph.datasets.filter(isSqlDataset).map((d) => [d.id, planDataset(d)]));
  const now = () => clock.now().toISOString();
  const later = (ms: number) => new Date(clock.now().getTime() + ms).toISOString();

  /** The erasure catalog (foreign keys, triggers, column limits) per dataset, read once (a failed read is tried again). */
  const catalogCache = new Map<string, Promise<ErasureCatalog>>();
  function catalogOf(dataset: string, db: SqlQueryable, engine: SqlEngine): Promise<ErasureCatalog> {
    const known = catalogCache.get(dataset);
    if (known) return known;
    const read = readErasureCatalog(db, engine);
    catalogCache.set(dataset, read);
    read.catch(() => catalogCache.delete(dataset));
    return read;
  }

  function connectionFor(ds: GraphDataset): SqlConnection {
    const existing = conns.get(ds.id);
    if (existing) return existing;
    if (!isSqlDataset(ds)) throw new Error('not a SQL dataset');
    const url = opts.env[ds.connection.url_env];
    if (!url) throw new MamoriError('MAMORI_CONNECTOR_URL_MISSING', `set ${ds.connection.url_env} to the database URL of dataset "${ds.id}"`);
    const conn = openSqlConnection(ds.connection.kind, url);
    conns.set(ds.id, conn);
    opened.push(conn);
    return conn;
  }

  async function runDataset(ds: GraphDataset, run: { id: string; request_id: string | null; kind: RunKind; dry_run: boolean }, payload: z.infer<typeof payloadSchema>): Promise<DatasetOutcome> {
    const c = ds.connection;
    switch (c.kind) {
      case 'postgres':
      case 'mysql':
      case 'sqlite': {
        const plan = plans.get(ds.id);
        if (!plan) throw new Error('no plan');
        if (plan.cycles.length > 0) return { dataset: ds.id, status: 'failed', count: 0, collections: [], error: { code: 'MAMORI_GRAPH_CYCLE', message: `reference cycle ${plan.cycles[0]?.join(' → ') ?? ''}` } };
        const conn = connectionFor(ds);
        const exec = createSqlExecutor(plan, conn, { hashKey: secret, catalog: (db) => catalogOf(ds.id, db, conn.engine), ...opts.executor });
        switch (run.kind) {
          case 'access':
            return exec.access(payload.identities);
          case 'erase':
            return exec.erase(payload.identities, run.dry_run);
          case 'correct': {
            const mine = payload.corrections.flatMap((x) => {
              const parts = x.field.split('.');
              if (parts.length === 3) return parts[0] === ds.id ? [{ field: `${parts[1]}.${parts[2]}`, after: x.after }] : [];
              return [x];
            });
            return exec.correct(payload.identities, mine);
          }
          case 'suspend':
            return exec.suspend(payload.identities);
          default: {
            const never: never = run.kind;
            return never;
          }
        }
      }
      case 'webhook': {
        if (!c.handles.includes(run.kind)) return { dataset: ds.id, status: 'skipped', count: 0, collections: [] };
        const url = opts.env[c.url_env];
        const whSecret = opts.env[c.secret_env];
        if (!url || !whSecret) return { dataset: ds.id, status: 'failed', count: 0, collections: [], error: { code: 'MAMORI_CONNECTOR_URL_MISSING', message: `set ${c.url_env} and ${c.secret_env}` } };
        const taskId = await ensureTask(run, ds.id, 'webhook');
        const called = await callWebhook({ url, secret: whSecret, dataset: ds.id, taskId, kind: run.kind, dryRun: run.dry_run, identities: payload.identities, corrections: payload.corrections, callbackUrl: `${opts.baseUrl}/api/v1/connectors/callbacks/${taskId}`, now: () => clock.now(), ...(opts.fetch ? { fetch: opts.fetch } : {}), ...(opts.webhookBackoffMs !== undefined ? { backoffMs: opts.webhookBackoffMs } : {}) });
        return called.status === 'done' && called.found === undefined ? { ...called, found: called.count > 0 } : called;
      }
      case 'manual': {
        if (!c.handles.includes(run.kind) || run.dry_run) return { dataset: ds.id, status: 'skipped', count: 0, collections: [] };
        await ensureTask(run, ds.id, 'manual');
        return { dataset: ds.id, status: 'waiting', count: 0, collections: [] };
      }
      default: {
        const never: never = c;
        return never;
      }
    }
  }

  async function ensureTask(run: { id: string; request_id: string | null }, dataset: string, kind: 'manual' | 'webhook'): Promise<string> {
    const existing = await db.selectFrom('connector_tasks').select(['id', 'status']).where('run_id', '=', run.id).where('dataset', '=', dataset).executeTakeFirst();
    if (existing) {
      // The step is being run again (a retry after a failure): its callback is awaited afresh.
      if (existing.status === 'failed') await db.updateTable('connector_tasks').set({ status: 'open', updated_at: now() }).where('id', '=', existing.id).where('status', '=', 'failed').execute();
      return existing.id;
    }
    const id = newId('ctask');
    await db.insertInto('connector_tasks').values({ id, run_id: run.id, request_id: run.request_id, dataset, kind, status: 'open', reason: null, actor: null, created_at: now(), updated_at: now() }).onConflict((oc) => oc.columns(['run_id', 'dataset']).doNothing()).execute();
    const row = await db.selectFrom('connector_tasks').select('id').where('run_id', '=', run.id).where('dataset', '=', dataset).executeTakeFirstOrThrow();
    return row.id;
  }

  /** Writes a step's outcome; a step already done or skipped (e.g. waived by staff meanwhile) is never overwritten. */
  async function recordStep(runId: string, outcome: DatasetOutcome, into: DbOrTrx = db): Promise<void> {
    const result = outcome.groups || outcome.corrections ? sealJson(secret, { groups: outcome.groups, corrections: outcome.corrections }) : null;
    const values = {
      status: outcome.status,
      count: outcome.count,
      detail_json: JSON.stringify({ collections: outcome.collections, ...(outcome.found !== undefined ? { found: outcome.found } : {}) }),
      error_code: outcome.error?.code ?? null,
      error_message: outcome.error?.message ?? null,
      result_sealed: result,
      updated_at: now(),
    };
    await into
      .insertInto('connector_steps')
      .values({ id: newId('cstep'), run_id: runId, dataset: outcome.dataset, attempts: 1, ...values })
      .onConflict((oc) => oc.columns(['run_id', 'dataset']).doUpdateSet({ ...values, attempts: sql<number>`connector_steps.attempts + 1` }).where('connector_steps.status', 'not in', ['done', 'skipped']))
      .execute();
  }

  /** Claims one run: queued, or running under an expired lease (its worker died). */
  async function claim(runId?: string): Promise<ClaimedRun | undefined> {
    const t = now();
    const pick = sql`select id from connector_runs where status in ('queued', 'running') and (lease_until is null or lease_until < ${t})${runId ? sql` and id = ${runId}` : sql``} order by created_at limit 1`;
    const r = await sql<Record<string, unknown>>`update connector_runs set status = 'running', lease_owner = ${owner}, lease_until = ${later(leaseMs)}, attempts = attempts + 1, updated_at = ${t}
      where id = (${store.dialect === 'postgres' ? sql`${pick} for update skip locked` : pick}) returning id, request_id, kind, dry_run, payload_sealed, attempts`.execute(db);
    const row = r.rows[0];
    return row ? claimedRun.parse(row) : undefined;
  }

  /** Extends our lease; false when another worker has taken the run over. */
  async function renew(runId: string): Promise<boolean> {
    const r = await db.updateTable('connector_runs').set({ lease_until: later(leaseMs), updated_at: now() }).where('id', '=', runId).where('lease_owner', '=', owner).where('status', '=', 'running').executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async function settle(runId: string, leased: boolean, known?: { request_id: string | null; kind: string; dry_run: number; attempts: number }): Promise<RunStatus> {
    const run = known ?? (await db.selectFrom('connector_runs').select(['request_id', 'kind', 'dry_run', 'attempts']).where('id', '=', runId).executeTakeFirstOrThrow());
    const steps = await db.selectFrom('connector_steps').select(['dataset', 'status', 'count']).where('run_id', '=', runId).execute();
    const statuses = graph.datasets.map((d) => steps.find((s) => s.dataset === d.id)?.status ?? 'missing');
    let status: RunStatus;
    if (statuses.includes('failed') || statuses.includes('missing')) status = run.attempts >= maxAttempts ? 'failed' : 'queued';
    else if (statuses.includes('waiting')) status = 'waiting';
    else status = 'done';
    const final = status === 'done' || status === 'failed';
    await db.transaction().execute(async (trx) => {
      let q = trx
        .updateTable('connector_runs')
        .set({ status, lease_owner: null, lease_until: status === 'queued' ? later(1000 * 2 ** run.attempts) : null, updated_at: now(), finished_at: final ? now() : null })
        .where('id', '=', runId);
      if (leased) q = q.where('lease_owner', '=', owner);
      else q = q.where('status', 'in', ['waiting', 'done', 'failed']);
      const r = await q.executeTakeFirst();
      if (Number(r.numUpdatedRows) === 1 && final) {
        await appendAudit(trx, clock, { actor: 'system', action: `connector.run_${status}`, targetType: run.request_id ? 'request' : 'connector_run', targetId: run.request_id ?? runId, data: { runId, kind: run.kind, dryRun: run.dry_run === 1, steps: steps.map((s) => ({ dataset: s.dataset, status: s.status, count: s.count })) } });
      }
    });
    return status;
  }

  async function processClaimed(row: ClaimedRun): Promise<RunStatus> {
    const runId = row.id;
    const run = { id: row.id, request_id: row.request_id, kind: parseKind(row.kind), dry_run: row.dry_run === 1 };
    const payload = payloadSchema.parse(openSealedJson(secret, row.payload_sealed));
    const steps = await db.selectFrom('connector_steps').select(['dataset', 'status']).where('run_id', '=', runId).execute();
    for (const [index, ds] of graph.datasets.entries()) {
      const prior = steps.find((s) => s.dataset === ds.id)?.status;
      // Done, skipped and waiting steps are never run again: a resumed run continues where it stopped.
      if (prior === 'done' || prior === 'skipped' || prior === 'waiting') continue;
      // The lease was just taken for the first step; later steps extend it and stop if another worker took over.
      if (index > 0 && !(await renew(runId))) return 'running';
      let outcome: DatasetOutcome;
      try {
        outcome = await runDataset(ds, run, payload);
      } catch (err) {
        outcome = { dataset: ds.id, status: 'failed', count: 0, collections: [], error: safeError(err) };
      }
      await recordStep(runId, outcome);
      opts.onStep?.({ runId, dataset: ds.id, index: index + 1, total: graph.datasets.length, status: outcome.status, count: outcome.count });
    }
    return settle(runId, true, row);
  }

  const service = {
    owner,
    /** Queues a run; with a request id, one run per (request, kind) is kept (calling again returns the same run). */
    async queueRun(input: QueueRunInput): Promise<string> {
      return db.transaction().execute(async (trx) => {
        if (input.requestId) {
          const existing = await trx.selectFrom('connector_runs').select('id').where('request_id', '=', input.requestId).where('kind', '=', input.kind).where('dry_run', '=', input.dryRun ? 1 : 0).executeTakeFirst();
          if (existing) return existing.id;
        }
        const id = newId('crun');
        await trx.insertInto('connector_runs').values({ id, request_id: input.requestId ?? null, kind: input.kind, status: 'queued', dry_run: input.dryRun ? 1 : 0, payload_sealed: sealJson(secret, { identities: input.identities, corrections: input.corrections ?? [] }), attempts: 0, lease_owner: null, lease_until: null, created_at: now(), updated_at: now(), finished_at: null }).execute();
        await appendAudit(trx, clock, { actor: input.actor ?? 'system', action: 'connector.run_queued', targetType: input.requestId ? 'request' : 'connector_run', targetId: input.requestId ?? id, data: { runId: id, kind: input.kind, dryRun: input.dryRun === true, identityKinds: Object.keys(input.identities).sort() } });
        return id;
      });
    },

    /** Claims and runs one queued run; false when there was nothing to claim. */
    async workOnce(): Promise<boolean> {
      const run = await claim();
      if (!run) return false;
      await processClaimed(run);
      return true;
    },

    /** Works until no run can be claimed right now. */
    async workUntilIdle(): Promise<number> {
      let n = 0;
      while (await service.workOnce()) n++;
      return n;
    },

    /** Runs one particular run now if no live worker holds it (used by `gather` and the CLI). */
    async runNow(runId: string): Promise<RunStatus> {
      const run = await claim(runId);
      if (run) return processClaimed(run);
      return (await service.report(runId)).status;
    },

    async report(runId: string): Promise<RunReport> {
      const run = await db.selectFrom('connector_runs').selectAll().where('id', '=', runId).executeTakeFirst();
      if (!run) throw new MamoriError('MAMORI_CONNECTOR_RUN_NOT_FOUND');
      const steps = await db.selectFrom('connector_steps').selectAll().where('run_id', '=', runId).execute();
      const status = parseRunStatus(run.status);
      const parsedSteps = graph.datasets.flatMap((d) => {
        const s = steps.find((x) => x.dataset === d.id);
        if (!s) return [];
        const detail = detailSchema.parse(JSON.parse(s.detail_json));
        return [{ dataset: s.dataset, status: parseStepStatus(s.status), count: s.count, collections: detail.collections, ...(detail.found !== undefined ? { found: detail.found } : {}), error: s.error_code ? { code: s.error_code, message: s.error_message ?? '' } : null, updatedAt: s.updated_at }];
      });
      return {
        id: run.id,
        requestId: run.request_id,
        kind: parseKind(run.kind),
        status,
        dryRun: run.dry_run === 1,
        attempts: run.attempts,
        steps: parsedSteps,
        noDataFound: runFoundNoData(status, parsedSteps),
      };
    },

    /** The sealed results of a run's steps (access rows, correction values), opened. */
    async results(runId: string): Promise<Array<{ dataset: string; groups: z.infer<typeof groupsSchema>; corrections: NonNullable<z.infer<typeof resultSchema>['corrections']> }>> {
      const steps = await db.selectFrom('connector_steps').select(['dataset', 'result_sealed']).where('run_id', '=', runId).execute();
      return graph.datasets.flatMap((d) => {
        const s = steps.find((x) => x.dataset === d.id);
        if (!s?.result_sealed) return [];
        const r = resultSchema.parse(openSealedJson(secret, s.result_sealed));
        return [{ dataset: d.id, groups: r.groups ?? [], corrections: r.corrections ?? [] }];
      });
    },

    async runsForRequest(requestId: string): Promise<RunReport[]> {
      const rows = await db.selectFrom('connector_runs').select('id').where('request_id', '=', requestId).orderBy('created_at').execute();
      return Promise.all(rows.map((r) => service.report(r.id)));
    },

    ...createConnectorTaskMethods({ db, clock, graph, env: opts.env, now, settle, recordStep }),

    /** Which identifiers the databases link to the given trusted ones (see resolve-identities.ts). Reads only. */
    async resolveIdentities(identities: Record<string, string>): Promise<IdentityResolutionResult> {
      return resolveIdentities(graph, connectionFor, identities);
    },

    /** Puts a failed run back in the queue (staff retry). */
    async retry(runId: string): Promise<void> {
      await db.updateTable('connector_runs').set({ status: 'queued', attempts: 0, lease_until: null, lease_owner: null, finished_at: null, updated_at: now() }).where('id', '=', runId).where('status', '=', 'failed').execute();
    },

    async close(): Promise<void> {
      await Promise.all(opened.map((c) => c.close()));
      opened.length = 0;
    },
  };
  return service;
}

export type ConnectorService = ReturnType<typeof createConnectorService>;
