import { sql } from 'kysely';
import { z } from 'zod';
import { dialectOf, type DbOrTrx } from '../store/store.ts';
import { writeCsv } from './csv.ts';

/**
 * Statistics over mamori's own data: requests by kind, outcome and days to close; consent rates by purpose;
 * provisions by basis and incidents. Reads the requests and consent domains' tables read-only (and copes with
 * them not existing yet). Every count under k people is suppressed, and so is anything derived from it.
 */
export const DEFAULT_K = 10;

export type Outcome = 'full' | 'partial' | 'refused' | 'alternative' | 'withdrawn' | 'unverified' | 'open';
export const outcomes: readonly Outcome[] = ['full', 'partial', 'refused', 'alternative', 'withdrawn', 'unverified', 'open'];

/** A count, or null when suppressed (under k but more than 0). */
export type Cell = number | null;

export interface Statistics {
  k: number;
  range: { from: string | null; to: string | null };
  requests: Array<{ kind: string; total: Cell; outcomes: Record<Outcome, Cell>; closed: Cell; medianDaysToClose: number | null; meanDaysToClose: number | null }>;
  consent: Array<{ purpose: string; subjects: Cell; allowed: Cell; rate: number | null }>;
  provisions: Array<{ basis: string; records: number; people: Cell }>;
  incidents: { total: number };
  sources: { requests: boolean; consent: boolean };
}

/** Suppresses a count under k (0 stays 0: knowing nobody is in a cell singles nobody out). */
export function suppress(n: number, k: number): Cell {
  return n > 0 && n < k ? null : n;
}

async function tableExists(db: DbOrTrx, name: string): Promise<boolean> {
  if (dialectOf(db) === 'postgres') {
    const r = await sql<{ t: string | null }>`select to_regclass(${name})::text as t`.execute(db);
    return !!r.rows[0]?.t;
  }
  const r = await sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'table' and name = ${name}`.execute(db);
  return Number(r.rows[0]?.n ?? 0) > 0;
}

const requestRow = z.object({ kind: z.string(), state: z.string(), created_at: z.string(), closed_at: z.string().nullable(), decision_json: z.string().nullable() });
const decisionShape = z.object({ outcome: z.enum(['full', 'partial', 'refused', 'alternative']) }).loose();
const consentRow = z.object({ purpose: z.string(), allowed: z.union([z.number(), z.boolean(), z.string()]), n: z.union([z.number(), z.string()]) });

function outcomeOf(r: z.infer<typeof requestRow>): Outcome {
  if (r.state === 'withdrawn') return 'withdrawn';
  if (r.state === 'rejected_unverified') return 'unverified';
  if (r.decision_json) {
    try {
      const d = decisionShape.safeParse(JSON.parse(r.decision_json));
      if (d.success) return d.data.outcome;
    } catch {
      /* malformed decision: counted as open */
    }
  }
  return 'open';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export async function computeStatistics(db: DbOrTrx, opts: { k?: number; from?: string; to?: string } = {}): Promise<Statistics> {
  const k = opts.k ?? DEFAULT_K;
  const from = opts.from ?? null;
  const to = opts.to ?? null;
  const hasRequests = await tableExists(db, 'requests');
  const hasConsent = await tableExists(db, 'consent_preferences');

  const requests: Statistics['requests'] = [];
  if (hasRequests) {
    // PostgreSQL needs the parameter's type to test it for null; SQLite has no casts of this form.
    const fromP = dialectOf(db) === 'postgres' ? sql`${from}::text` : sql`${from}`;
    const toP = dialectOf(db) === 'postgres' ? sql`${to}::text` : sql`${to}`;
    const raw = await sql<Record<string, unknown>>`select kind, state, created_at, closed_at, decision_json from requests
      where (${fromP} is null or created_at >= ${from}) and (${toP} is null or created_at < ${to})`.execute(db);
    const byKind = new Map<string, Array<z.infer<typeof requestRow>>>();
    for (const row of raw.rows) {
      const p = requestRow.safeParse(row);
      if (!p.success) continue;
      const list = byKind.get(p.data.kind) ?? [];
      list.push(p.data);
      byKind.set(p.data.kind, list);
    }
    for (const [kind, rows] of [...byKind.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const counts = Object.fromEntries(outcomes.map((o) => [o, 0])) as Record<Outcome, number>;
      for (const r of rows) counts[outcomeOf(r)] += 1;
      const days = rows.filter((r) => r.closed_at).map((r) => (new Date(r.closed_at ?? r.created_at).getTime() - new Date(r.created_at).getTime()) / 86_400_000);
      const closedOk = days.length >= k;
      requests.push({
        kind,
        total: suppress(rows.length, k),
        outcomes: Object.fromEntries(outcomes.map((o) => [o, suppress(counts[o], k)])) as Record<Outcome, Cell>,
        closed: suppress(days.length, k),
        medianDaysToClose: closedOk ? round1(median(days)) : null,
        meanDaysToClose: closedOk ? round1(days.reduce((a, b) => a + b, 0) / days.length) : null,
      });
    }
  }

  const consent: Statistics['consent'] = [];
  if (hasConsent) {
    // Tools' own switches (`<purpose>/<tool>` rows) are not purposes: only purposes are counted.
    const raw = await sql<Record<string, unknown>>`select purpose, allowed, count(*) as n from consent_preferences where purpose not like '%/%' group by purpose, allowed`.execute(db);
    const byPurpose = new Map<string, { yes: number; no: number }>();
    for (const row of raw.rows) {
      const p = consentRow.safeParse(row);
      if (!p.success) continue;
      const e = byPurpose.get(p.data.purpose) ?? { yes: 0, no: 0 };
      const allowed = p.data.allowed === 1 || p.data.allowed === true || p.data.allowed === '1';
      if (allowed) e.yes += Number(p.data.n);
      else e.no += Number(p.data.n);
      byPurpose.set(p.data.purpose, e);
    }
    for (const [purpose, e] of [...byPurpose.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const total = e.yes + e.no;
      const subjects = suppress(total, k);
      const allowed = suppress(e.yes, k);
      // A rate would reveal a suppressed count when the denial cell is small as well.
      const rate = subjects !== null && allowed !== null && suppress(e.no, k) !== null && total > 0 ? Math.round((e.yes / total) * 1000) / 10 : null;
      consent.push({ purpose, subjects, allowed, rate });
    }
  }

  const prov = await db
    .selectFrom('record_provisions')
    .select(['basis', (eb) => eb.fn.countAll<string | number>().as('records'), (eb) => eb.fn.sum<string | number>('subject_count').as('people')])
    .$if(from !== null, (q) => q.where('provided_on', '>=', (from ?? '').slice(0, 10)))
    .$if(to !== null, (q) => q.where('provided_on', '<', (to ?? '').slice(0, 10)))
    .groupBy('basis')
    .orderBy('basis')
    .execute();
  const incidents = await db.selectFrom('record_incidents').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
  return {
    k,
    range: { from, to },
    requests,
    consent,
    provisions: prov.map((p) => ({ basis: p.basis, records: Number(p.records), people: suppress(Number(p.people ?? 0), k) })),
    incidents: { total: Number(incidents.n) },
    sources: { requests: hasRequests, consent: hasConsent },
  };
}

/** The statistics as CSV: one section per table; suppressed cells read `<k`. */
export function statisticsCsv(s: Statistics): string {
  const c = (v: Cell | number | null) => (v === null ? `<${s.k}` : String(v));
  const rows: Array<Array<string | number>> = [
    ['section', 'key', 'metric', 'value'],
    ...s.requests.flatMap((r) => [
      ['requests', r.kind, 'total', c(r.total)],
      ...outcomes.map((o) => ['requests', r.kind, `outcome_${o}`, c(r.outcomes[o])]),
      ['requests', r.kind, 'closed', c(r.closed)],
      ['requests', r.kind, 'median_days_to_close', r.medianDaysToClose === null ? `<${s.k}` : r.medianDaysToClose],
      ['requests', r.kind, 'mean_days_to_close', r.meanDaysToClose === null ? `<${s.k}` : r.meanDaysToClose],
    ]),
    ...s.consent.flatMap((p) => [
      ['consent', p.purpose, 'subjects', c(p.subjects)],
      ['consent', p.purpose, 'allowed', c(p.allowed)],
      ['consent', p.purpose, 'rate_percent', p.rate === null ? `<${s.k}` : p.rate],
    ]),
    ...s.provisions.flatMap((p) => [
      ['provisions', p.basis, 'records', p.records],
      ['provisions', p.basis, 'people', c(p.people)],
    ]),
    ['incidents', 'all', 'total', s.incidents.total],
  ];
  return writeCsv(rows);
}
