import type { FastifyInstance } from 'fastify';
import { appendAudit } from '../audit/audit-log.ts';
import type { Clock } from '../clock.ts';
import type { Store } from '../store/store.ts';

/** How long a filing may wait for its email confirmation before it and its proofs are deleted. */
export const UNCONFIRMED_TTL_MS = 24 * 60 * 60 * 1000;

export interface PurgeOutcome {
  requests: number;
  files: number;
  bytes: number;
}

/**
 * Deletes requests still awaiting their email confirmation after `ttlMs`, with everything stored for them (proof
 * files, codes, timeline: the tables cascade). Until the email is confirmed nobody has asked for the request but
 * whoever typed the address, so its documents are kept no longer than this. Each deletion is an audit event
 * (ids and sizes only) in the same transaction.
 * @example await purgeUnconfirmedRequests(store, clock); // { requests: 3, files: 5, bytes: 18_874_368 }
 */
export async function purgeUnconfirmedRequests(store: Store, clock: Clock, opts: { ttlMs?: number; batch?: number } = {}): Promise<PurgeOutcome> {
  const cutoff = new Date(clock.now().getTime() - (opts.ttlMs ?? UNCONFIRMED_TTL_MS)).toISOString();
  const batch = opts.batch ?? 100;
  const total: PurgeOutcome = { requests: 0, files: 0, bytes: 0 };
  for (;;) {
    const done = await store.db.transaction().execute(async (trx) => {
      let pick = trx.selectFrom('requests').select(['id', 'created_at']).where('state', '=', 'awaiting_verification').where('verified_at', 'is', null).where('created_at', '<', cutoff).orderBy('created_at').limit(batch);
      if (store.dialect === 'postgres') pick = pick.forUpdate().skipLocked();
      const rows = await pick.execute();
      for (const row of rows) {
        const files = await trx.selectFrom('request_files').select(['size']).where('request_id', '=', row.id).execute();
        const bytes = files.reduce((n, f) => n + Number(f.size), 0);
        await trx.deleteFrom('requests').where('id', '=', row.id).where('state', '=', 'awaiting_verification').execute();
        await appendAudit(trx, clock, { actor: 'system', action: 'request.unconfirmed_purged', targetType: 'request', targetId: row.id, data: { files: files.length, bytes, filedAt: row.created_at } });
        total.requests++;
        total.files += files.length;
        total.bytes += bytes;
      }
      return rows.length < batch;
    });
    if (done) return total;
  }
}

/**
 * Runs the purge when the server is ready and then every `intervalMs` (MAMORI_UNCONFIRMED_PURGE_MINUTES, default 60;
 * 0 turns it off). Failures are logged by class only and retried at the next tick.
 */
export function scheduleUnconfirmedPurge(app: FastifyInstance, deps: { store: Store; clock: Clock }, intervalMs: number): void {
  if (intervalMs <= 0) return;
  let timer: NodeJS.Timeout | undefined;
  const run = () => {
    purgeUnconfirmedRequests(deps.store, deps.clock)
      .then((r) => {
        if (r.requests > 0) app.log.info({ purged: r }, 'unconfirmed requests purged');
      })
      .catch((e: unknown) => app.log.error({ err: { type: e instanceof Error ? e.name : 'error' } }, 'unconfirmed request purge failed'));
  };
  app.addHook('onReady', async () => {
    timer = setInterval(run, intervalMs);
    timer.unref();
    setImmediate(run);
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
  });
}

/** The purge interval from the environment, in ms. */
export function unconfirmedPurgeIntervalMs(env: NodeJS.ProcessEnv): number {
  const raw = env.MAMORI_UNCONFIRMED_PURGE_MINUTES;
  const minutes = raw === undefined || raw === '' ? 60 : Number(raw);
  return Number.isFinite(minutes) && minutes >= 0 ? minutes * 60_000 : 60 * 60_000;
}
