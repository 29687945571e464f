import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { MamoriError } from '../errors.ts';
import { formatIssues } from '../policy/load-policy.ts';
import type { GatheredSection, RequestHookInfo, RequestHooks } from '../requests/request-hooks.ts';
import './connector-errors.ts';
import { createConnectorService, type ConnectorService } from './connector-service.ts';
import { loadGraphFile } from './load-graph.ts';
import type { DatasetGraph, RunKind } from './graph-schema.ts';

const storedMeasure = z.object({ measure: z.enum(['use_stopped', 'erased', 'provision_stopped']).nullable().optional() });

/** Connector services by context, so the hooks and the console routes share one ledger worker per server. */
const services = new WeakMap<object, { graph: DatasetGraph; svc: ConnectorService }>();

/**
 * The connector service for a server context, or undefined when no graph is configured (MAMORI_GRAPH / `--graph`).
 * A graph that does not load stops the start with its file:line:col issues.
 */
export function connectorServiceFor(ctx: Omit<AppContext, 'requestHooks'>): ConnectorService | undefined {
  const path = ctx.config.graphPath;
  if (!path) return undefined;
  const known = services.get(ctx.store);
  if (known) return known.svc;
  const r = loadGraphFile(path);
  if (!r.ok) throw new MamoriError('MAMORI_GRAPH_INVALID', `The dataset graph has problems:\n${formatIssues(r.issues)}`);
  const svc = createConnectorService({ store: ctx.store, clock: ctx.clock, graph: r.loaded.graph, secret: ctx.config.secret, env: process.env, baseUrl: ctx.config.baseUrl });
  services.set(ctx.store, { graph: r.loaded.graph, svc });
  return svc;
}

/**
 * How the connectors domain plugs into the request workflow: a disclosure queues and runs an access run whose rows
 * `gather` returns; a decision erases, corrects or suspends in every system; open manual tasks and unfinished runs
 * keep the request from closing. Without a graph every hook is absent.
 */
export function createConnectorRequestHooks(ctx: Omit<AppContext, 'requestHooks'>): RequestHooks {
  if (!ctx.config.graphPath) return {};
  const svc = () => {
    const s = connectorServiceFor(ctx);
    if (!s) throw new Error('no graph');
    return s;
  };
  // Load the graph now: a broken graph must stop the start, not the first request.
  svc();

  const runFor = async (req: RequestHookInfo, kind: RunKind, corrections?: Array<{ field: string; after: unknown }>) => {
    if (Object.keys(req.identities).length === 0) return;
    const id = await svc().queueRun({ requestId: req.id, kind, identities: req.identities, ...(corrections ? { corrections } : {}) });
    await svc().runNow(id);
  };

  /** Runs of the request that are queued (e.g. a retry after a lost connection) get another go now. */
  const resume = async (requestId: string) => {
    for (const run of await svc().runsForRequest(requestId)) if (run.status === 'queued' || run.status === 'running') await svc().runNow(run.id);
  };

  return {
    async onWorkStarted(req) {
      if (req.kind === 'disclosure') await runFor(req, 'access');
    },

    async gather(req) {
      if (req.kind !== 'disclosure') return [];
      await resume(req.id);
      let access = (await svc().runsForRequest(req.id)).find((r) => r.kind === 'access' && !r.dryRun);
      if (!access) {
        await runFor(req, 'access');
        access = (await svc().runsForRequest(req.id)).find((r) => r.kind === 'access' && !r.dryRun);
      }
      if (!access) return [];
      const s = services.get(ctx.store);
      const results = await svc().results(access.id);
      return results.flatMap((r): GatheredSection[] => {
        const ds = s?.graph.datasets.find((d) => d.id === r.dataset);
        const name = ds?.name ?? r.dataset;
        return r.groups.length === 0 ? [] : [{ source: `connector:${r.dataset}`, title: typeof name === 'string' ? { ja: name, en: name } : name, groups: r.groups }];
      });
    },

    async onDecided(req, decision) {
      if (decision.outcome !== 'full' && decision.outcome !== 'partial') return;
      switch (req.kind) {
        case 'correction':
          if (decision.corrections && decision.corrections.length > 0) await runFor(req, 'correct', decision.corrections.map((c) => ({ field: c.field, after: c.after })));
          return;
        case 'suspension': {
          const row = await ctx.store.db.selectFrom('requests').select('decision_json').where('id', '=', req.id).executeTakeFirst();
          const parsed = storedMeasure.safeParse(row?.decision_json ? JSON.parse(row.decision_json) : {});
          await runFor(req, parsed.success && parsed.data.measure === 'erased' ? 'erase' : 'suspend');
          return;
        }
        case 'stop_provision':
          await runFor(req, 'suspend');
          return;
        case 'disclosure':
        case 'purpose_notice':
          return;
        default: {
          const never: never = req.kind;
          return never;
        }
      }
    },

    async resolveIdentities(identities) {
      return svc().resolveIdentities(identities);
    },

    async blockersBeforeClose(req) {
      await resume(req.id);
      return svc().blockers(req.id);
    },
  };
}

/** Closes the database pools the connector service opened for a context (server shutdown, tests). */
export async function closeConnectorService(ctx: Pick<AppContext, 'store'>): Promise<void> {
  const known = services.get(ctx.store);
  if (!known) return;
  services.delete(ctx.store);
  await known.svc.close();
}

/**
 * The server's background worker: every `intervalMs` it claims queued runs (retries after a lost connection, runs a
 * crashed process left behind, runs queued by another process) until none is left. `stop()` waits for the current
 * pass and closes the pools. Without a graph, or with an interval of 0 (tests), it does nothing.
 */
export function startConnectorWorker(ctx: Omit<AppContext, 'requestHooks'>, intervalMs: number): { stop(): Promise<void> } {
  const svc = intervalMs > 0 ? connectorServiceFor(ctx) : undefined;
  if (!svc) return { stop: async () => undefined };
  let running: Promise<void> | undefined;
  let stopped = false;
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = svc
      .workUntilIdle()
      .then(() => undefined, () => undefined) // outcomes are recorded per step; a store outage is retried next time
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await closeConnectorService(ctx);
    },
  };
}
