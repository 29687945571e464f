import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import { listIncidents } from '../records/incidents.ts';
import { requestStates } from '../requests/request-state.ts';
import { allMigrations } from '../store/migrate.ts';
import type { RouteModule } from './route-module.ts';
import { requireApiKey } from './staff-auth.ts';

/** States in which a request's statutory clock no longer runs. */
const FINISHED = ['delivered', 'notified', 'closed', 'withdrawn', 'rejected_unverified'];

/** What `/readyz` checks: the database answers and every migration this build knows is applied. */
async function readiness(ctx: AppContext): Promise<{ ready: boolean; database: boolean; pendingMigrations: number }> {
  try {
    const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(ctx.store.db);
    const names = new Set(applied.rows.map((r) => r.name));
    const pending = Object.keys(allMigrations()).filter((n) => !names.has(n)).length;
    return { ready: pending === 0, database: true, pendingMigrations: pending };
  } catch {
    return { ready: false, database: false, pendingMigrations: -1 };
  }
}

const line = (name: string, value: number, labels?: Record<string, string>) => `${name}${labels ? `{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}` : ''} ${value}`;

/** The Prometheus text exposition of the figures an operator pages on. Counts only: no ids, no personal data. */
async function metricsText(ctx: AppContext): Promise<string> {
  const db = ctx.store.db;
  const now = ctx.clock.now();
  const byState = await db.selectFrom('requests').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('state').execute();
  const counts = new Map(byState.map((r) => [r.state, Number(r.n)]));
  const overdue = await db.selectFrom('requests').select((eb) => eb.fn.countAll<number>().as('n')).where('state', 'not in', FINISHED).where('due_at', 'is not', null).where('paused_since', 'is', null).where('due_at', '<', now.toISOString()).executeTakeFirstOrThrow();
  const outbox = await db.selectFrom('mail_outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('sent_at', 'is', null).executeTakeFirstOrThrow();
  const runs = await db.selectFrom('connector_runs').select((eb) => eb.fn.countAll<number>().as('n')).where('status', 'in', ['queued', 'waiting']).executeTakeFirstOrThrow();
  const incidents = await listIncidents(db, now);
  const breachDue = incidents.filter((i) => i.deadlines && Object.values(i.deadlines).some((d) => d.state === 'late' || d.state === 'overdue')).length;
  return [
    '# HELP mamori_requests Requests by state.',
    '# TYPE mamori_requests gauge',
    ...requestStates.map((s) => line('mamori_requests', counts.get(s) ?? 0, { state: s })),
    '# HELP mamori_requests_overdue Open requests past their statutory due date (not paused).',
    '# TYPE mamori_requests_overdue gauge',
    line('mamori_requests_overdue', Number(overdue.n)),
    '# HELP mamori_outbox_backlog Mails waiting to be sent.',
    '# TYPE mamori_outbox_backlog gauge',
    line('mamori_outbox_backlog', Number(outbox.n)),
    '# HELP mamori_connector_runs_waiting Connector runs queued or waiting on a callback.',
    '# TYPE mamori_connector_runs_waiting gauge',
    line('mamori_connector_runs_waiting', Number(runs.n)),
    '# HELP mamori_breach_deadlines_due Breach incidents with a report deadline late or overdue.',
    '# TYPE mamori_breach_deadlines_due gauge',
    line('mamori_breach_deadlines_due', breachDue),
    ...ctx.metrics.all().flatMap((m) => [`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`, line(m.name, m.read())]),
    '',
  ].join('\n');
}

/** `/healthz` (the process answers), `/readyz` (database and migrations) and `/metrics` (Prometheus, staff API key). */
export const healthRoutes: RouteModule = (app, ctx, openapi) => {
  app.get('/healthz', async () => ({ status: 'ok' }));
  openapi.add('get', '/healthz', { summary: 'Liveness: the process answers', tags: ['system'], responses: { '200': { description: 'Alive.' } } });

  app.get('/readyz', async (_request, reply) => {
    const r = await readiness(ctx);
    return reply.status(r.ready ? 200 : 503).header('cache-control', 'no-store').send({ status: r.ready ? 'ready' : 'not_ready', database: r.database, pendingMigrations: r.pendingMigrations });
  });
  openapi.add('get', '/readyz', { summary: 'Readiness: the database answers and every migration is applied', tags: ['system'], responses: { '200': { description: 'Ready.' }, '503': { description: 'Database unreachable or migrations pending.' } } });

  app.get('/metrics', { preHandler: requireApiKey(ctx, 'requests.view') }, async (_request, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').header('cache-control', 'no-store').send(await metricsText(ctx)));
  openapi.add('get', '/metrics', { summary: 'Prometheus metrics (requests by state, overdue, outbox backlog, connector runs waiting, breach deadlines due)', tags: ['system'], security: [{ apiKey: [] }], responses: { '200': { description: 'Prometheus text format', contentType: 'text/plain' } } });
};
