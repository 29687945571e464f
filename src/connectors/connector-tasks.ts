import type { Clock } from '../clock.ts';
import { appendAudit, type Actor } from '../audit/audit-log.ts';
import { MamoriError } from '../errors.ts';
import type { DbOrTrx, Store } from '../store/store.ts';
import './connector-errors.ts';
import type { DatasetGraph } from './graph-schema.ts';
import type { DatasetOutcome, StepStatus } from './step-outcome.ts';
import type { RunStatus } from './run-report.ts';
import { webhookOutcome, webhookResultSchema } from './webhook/webhook-executor.ts';
import { verifyWebhook } from './webhook/webhook-signature.ts';

/** What the task methods need of the connector service: its store, clock, graph and two of its steps. */
export interface ConnectorTaskDeps {
  db: Store['db'];
  clock: Clock;
  graph: DatasetGraph;
  env: Record<string, string | undefined>;
  now(): string;
  /** Settles a run once its steps are recorded (the run is done when nothing is open). */
  settle(runId: string, leased: boolean): Promise<RunStatus>;
  recordStep(runId: string, outcome: DatasetOutcome, into?: DbOrTrx): Promise<void>;
}

/**
 * The human side of a connector run: manual checklist items, webhook callbacks (signed, or resolved by hand when they
 * never come), and what keeps a request from closing. Part of the connector service's public surface.
 */
export function createConnectorTaskMethods(deps: ConnectorTaskDeps) {
  const { db, clock, graph, now, settle, recordStep } = deps;
  const opts = { env: deps.env };
  return {
    async tasksForRequest(requestId: string) {
      return db.selectFrom('connector_tasks').selectAll().where('request_id', '=', requestId).orderBy('created_at').execute();
    },

    /** Closes a manual checklist item: done, or waived with a reason. The run settles when nothing is open. */
    async resolveTask(taskId: string, input: { status: 'done' | 'waived'; reason?: string; actor: Actor }): Promise<void> {
      const task = await db.selectFrom('connector_tasks').selectAll().where('id', '=', taskId).executeTakeFirst();
      if (!task || task.kind !== 'manual') throw new MamoriError('MAMORI_CONNECTOR_TASK_NOT_FOUND');
      if (task.status !== 'open') throw new MamoriError('MAMORI_CONNECTOR_TASK_CLOSED');
      const reason = input.reason?.trim() ?? '';
      if (input.status === 'waived' && reason.length === 0) throw new MamoriError('MAMORI_CONNECTOR_WAIVE_REASON');
      await db.transaction().execute(async (trx) => {
        // Two staff resolving at once: only the first wins, the second is told it is closed (and nothing is audited twice).
        const t = await trx.updateTable('connector_tasks').set({ status: input.status, reason: reason || null, actor: input.actor, updated_at: now() }).where('id', '=', taskId).where('status', '=', 'open').executeTakeFirst();
        if (Number(t.numUpdatedRows) !== 1) throw new MamoriError('MAMORI_CONNECTOR_TASK_CLOSED');
        await trx.updateTable('connector_steps').set({ status: input.status === 'done' ? 'done' : 'skipped', detail_json: JSON.stringify({ collections: [{ collection: 'manual', status: input.status === 'done' ? 'done' : 'skipped', count: 0, ...(input.status === 'waived' ? { note: `waived: ${reason}` } : reason ? { note: reason } : {}) }] }), updated_at: now() }).where('run_id', '=', task.run_id).where('dataset', '=', task.dataset).execute();
        await appendAudit(trx, clock, { actor: input.actor, action: `connector.task_${input.status}`, targetType: task.request_id ? 'request' : 'connector_run', targetId: task.request_id ?? task.run_id, data: { taskId, dataset: task.dataset, ...(input.status === 'waived' ? { reason } : {}) } });
      });
      await settle(task.run_id, false);
    },

    /** A signed completion callback from a webhook system (body verbatim, for the signature). */
    async completeCallback(taskId: string, rawBody: string, headers: { timestamp?: string; signature?: string }): Promise<void> {
      const task = await db.selectFrom('connector_tasks').selectAll().where('id', '=', taskId).executeTakeFirst();
      const ds = graph.datasets.find((d) => d.id === task?.dataset);
      if (!task || task.kind !== 'webhook' || !ds || ds.connection.kind !== 'webhook') throw new MamoriError('MAMORI_CONNECTOR_TASK_NOT_FOUND');
      const whSecret = opts.env[ds.connection.secret_env];
      if (!whSecret || !verifyWebhook(whSecret, headers.timestamp, headers.signature, rawBody, clock.now())) throw new MamoriError('MAMORI_CONNECTOR_SIGNATURE');
      if (task.status !== 'open') {
        // Staff resolved the step by hand (waived, or confirmed done with the operator's team): the app is told so.
        if (task.actor !== null) throw new MamoriError('MAMORI_CONNECTOR_CALLBACK_LATE');
        return; // a repeated callback changes nothing
      }
      let body: unknown;
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = null;
      }
      const parsed = webhookResultSchema.safeParse(body);
      const outcome: DatasetOutcome = parsed.success ? webhookOutcome(ds.id, parsed.data) : { dataset: ds.id, status: 'failed', count: 0, collections: [], error: { code: 'MAMORI_WEBHOOK_BAD_RESPONSE', message: 'the callback does not match the expected shape' } };
      if (outcome.status === 'waiting') return;
      const recorded = await db.transaction().execute(async (trx) => {
        // Only an open task takes the callback: staff may have resolved it since it was read above.
        const r = await trx.updateTable('connector_tasks').set({ status: outcome.status === 'done' ? 'done' : 'failed', updated_at: now() }).where('id', '=', taskId).where('status', '=', 'open').executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) return false;
        await recordStep(task.run_id, outcome, trx);
        return true;
      });
      if (!recorded) {
        const latest = await db.selectFrom('connector_tasks').select('actor').where('id', '=', taskId).executeTakeFirst();
        if (latest?.actor) throw new MamoriError('MAMORI_CONNECTOR_CALLBACK_LATE');
        return;
      }
      await settle(task.run_id, false);
    },

    /**
     * Resolves by hand a webhook step whose callback never came: `waived` with a written reason, or `done` with a
     * note of how completion was confirmed (e.g. with the operator's team). The step is recorded as skipped (waived)
     * or done with that text, audited in the same transaction; a callback arriving afterwards is refused (409
     * MAMORI_CONNECTOR_CALLBACK_LATE) and changes nothing. Permission is checked by the caller (officers, admins).
     */
    async resolveAwaitedCallback(requestId: string, taskId: string, input: { status: 'done' | 'waived'; reason: string; actor: Actor }): Promise<void> {
      const task = await db.selectFrom('connector_tasks').selectAll().where('id', '=', taskId).executeTakeFirst();
      if (!task || task.kind !== 'webhook' || task.request_id !== requestId) throw new MamoriError('MAMORI_CONNECTOR_TASK_NOT_FOUND');
      const reason = input.reason.trim();
      if (reason.length === 0) throw new MamoriError(input.status === 'waived' ? 'MAMORI_CONNECTOR_WAIVE_REASON' : 'MAMORI_CONNECTOR_DONE_NOTE');
      if (task.status !== 'open') throw new MamoriError('MAMORI_CONNECTOR_TASK_CLOSED');
      const stepStatus: StepStatus = input.status === 'done' ? 'done' : 'skipped';
      await db.transaction().execute(async (trx) => {
        const t = await trx.updateTable('connector_tasks').set({ status: input.status, reason, actor: input.actor, updated_at: now() }).where('id', '=', taskId).where('status', '=', 'open').executeTakeFirst();
        if (Number(t.numUpdatedRows) !== 1) throw new MamoriError('MAMORI_CONNECTOR_TASK_CLOSED');
        // Only a step that is waiting for its callback: not one whose call is still in flight or already settled.
        const s = await trx
          .updateTable('connector_steps')
          .set({ status: stepStatus, count: 0, detail_json: JSON.stringify({ collections: [{ collection: 'callback', status: stepStatus, count: 0, note: input.status === 'waived' ? `waived: ${reason}` : `confirmed by hand: ${reason}` }] }), error_code: null, error_message: null, updated_at: now() })
          .where('run_id', '=', task.run_id)
          .where('dataset', '=', task.dataset)
          .where('status', '=', 'waiting')
          .executeTakeFirst();
        if (Number(s.numUpdatedRows) !== 1) throw new MamoriError('MAMORI_CONNECTOR_NOT_AWAITING');
        await appendAudit(trx, clock, { actor: input.actor, action: input.status === 'waived' ? 'connector.callback_waived' : 'connector.callback_done_by_hand', targetType: 'request', targetId: requestId, data: { taskId, runId: task.run_id, dataset: task.dataset, reason } });
      });
      await settle(task.run_id, false);
    },

    /** Why a request cannot close yet: open manual tasks, webhook callbacks awaited, runs not finished. */
    async blockers(requestId: string): Promise<string[]> {
      const out: string[] = [];
      const tasks = await db.selectFrom('connector_tasks').select(['dataset', 'kind', 'status']).where('request_id', '=', requestId).where('status', '=', 'open').execute();
      for (const t of tasks) out.push(t.kind === 'manual' ? `manual task for ${t.dataset} is not done or waived` : `waiting for ${t.dataset} to confirm completion`);
      const runs = await db.selectFrom('connector_runs').select(['kind', 'status']).where('request_id', '=', requestId).where('dry_run', '=', 0).execute();
      for (const r of runs) {
        if (r.status === 'queued' || r.status === 'running') out.push(`connector ${r.kind} run is ${r.status}`);
        else if (r.status === 'failed') out.push(`connector ${r.kind} run failed: retry it or handle the systems by hand`);
      }
      return out;
    },
  };
}
