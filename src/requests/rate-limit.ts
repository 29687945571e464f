import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { MamoriError } from '../errors.ts';
import { dialectOf, type DbOrTrx } from '../store/store.ts';
import { preparedStatement, type PreparedStatement } from '../store/prepared-statement.ts';
import { chainEndsRead, LOCK_AND_CHAIN_ENDS, type ChainEnds } from '../audit/audit-append.ts';

/**
 * Fixed-window rate limits kept in the database, so every mamori process shares them. One atomic upsert per hit:
 * the window restarts when it is over, otherwise the count goes up; the caller is refused above the limit.
 */
export interface RateLimitRule {
  limit: number;
  windowMs: number;
}

export interface RequestRateLimits {
  filingsPerIp: RateLimitRule;
  filingsPerEmail: RateLimitRule;
  codeAttemptsPerIp: RateLimitRule;
  /** Code attempts across every request of one email, so opening many requests does not multiply the guesses. */
  codeAttemptsPerEmail: RateLimitRule;
  newCodesPerRequest: RateLimitRule;
  /** Code re-sends across every request of one email. */
  newCodesPerEmail: RateLimitRule;
}

const HOUR = 60 * 60 * 1000;

export const defaultRequestRateLimits: RequestRateLimits = {
  filingsPerIp: { limit: 30, windowMs: HOUR },
  filingsPerEmail: { limit: 10, windowMs: HOUR },
  codeAttemptsPerIp: { limit: 60, windowMs: 10 * 60 * 1000 },
  // 20 guesses an hour at most for one address, whatever the number of requests or addresses used: a person who
  // mistypes a few codes never meets it, a guesser needs years for a 6-digit code.
  codeAttemptsPerEmail: { limit: 20, windowMs: HOUR },
  newCodesPerRequest: { limit: 5, windowMs: HOUR },
  newCodesPerEmail: { limit: 10, windowMs: HOUR },
};

const ruleSchema = z.strictObject({ limit: z.number().int().min(1), windowMs: z.number().int().min(1000) });
const envSchema = z.strictObject({
  filingsPerIp: ruleSchema.optional(),
  filingsPerEmail: ruleSchema.optional(),
  codeAttemptsPerIp: ruleSchema.optional(),
  codeAttemptsPerEmail: ruleSchema.optional(),
  newCodesPerRequest: ruleSchema.optional(),
  newCodesPerEmail: ruleSchema.optional(),
});

/**
 * Limits from MAMORI_REQUEST_LIMITS (JSON, e.g. `{"filingsPerIp":{"limit":100,"windowMs":3600000}}`), over the defaults.
 * A bad value stops the start with the reason.
 */
export function requestRateLimitsFromEnv(env: NodeJS.ProcessEnv): RequestRateLimits {
  const raw = env.MAMORI_REQUEST_LIMITS;
  if (!raw) return defaultRequestRateLimits;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new MamoriError('MAMORI_CONFIG_INVALID', 'MAMORI_REQUEST_LIMITS must be JSON, e.g. {"filingsPerIp":{"limit":100,"windowMs":3600000}}');
  }
  const parsed = envSchema.safeParse(json);
  if (!parsed.success) throw new MamoriError('MAMORI_CONFIG_INVALID', `MAMORI_REQUEST_LIMITS: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { ...defaultRequestRateLimits, ...Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)) };
}

/** A bucket name that does not reveal the email or IP it counts (HMAC with the server secret). */
export function rateBucket(secret: Buffer, scope: string, value: string): string {
  return `${scope}:${createHmac('sha256', secret).update(`${scope}\0${value}`).digest('base64url').slice(0, 32)}`;
}

/** The key an email is counted under: case and surrounding spaces do not make a new address. */
export function emailRateKey(email: string): string {
  return email.trim().toLowerCase();
}

/** What was limited, in words for the person refused (the wait is added). Without one, a general sentence. */
export type RateLimitWhat = 'code_attempts_for_email' | 'new_codes_for_email';
const refusedBecause: Record<RateLimitWhat, string> = {
  code_attempts_for_email: 'Too many codes were entered for this email address, across all its requests. To protect the address, codes cannot be checked for a while.',
  new_codes_for_email: 'Too many new codes were asked for this email address, across all its requests.',
};

// Prepared once: every filing counts two hits (see store/prepared-statement.ts). The statement reads no table an
// insertRow writes, so inserts waiting on PostgreSQL may travel with it.
const upsertHit = `insert into request_rate_limits (bucket, window_start, count) values (?, ?, 1)
  on conflict (bucket) do update set
    count = case when request_rate_limits.window_start <= ? then 1 else request_rate_limits.count + 1 end,
    window_start = case when request_rate_limits.window_start <= ? then ? else request_rate_limits.window_start end
  returning count, window_start`;
type HitRow = { count: number | string; window_start: string };
const countHit = preparedStatement<HitRow>(upsertHit, 'carries_deferred');
// PostgreSQL: several hits in one statement (one round trip), each upsert a CTE; buckets must differ. Kept per count.
const countHitsTogether = new Map<number, PreparedStatement<HitRow & { i: number }>>();
function hitsTogether(n: number): PreparedStatement<HitRow & { i: number }> {
  let stmt = countHitsTogether.get(n);
  if (!stmt) {
    const ctes = Array.from({ length: n }, (_, i) => `hit_${i} as (${upsertHit})`).join(', ');
    const rows = Array.from({ length: n }, (_, i) => `select ${i} as i, count, window_start from hit_${i}`).join(' union all ');
    stmt = preparedStatement(`with ${ctes} ${rows}`, 'carries_deferred');
    countHitsTogether.set(n, stmt);
  }
  return stmt;
}

// PostgreSQL, for a transaction that appends to the audit chain next: the hits are counted, then, when none is above
// its limit, the chain's lock is taken and its ends read (`ends`), in the same round trip. The lock's condition reads
// every hit's count, so the counter rows are always locked before the chain (the order of two statements before:
// no lock cycle between filings), and a refused filing never takes the chain's lock (a flood of refused filings does
// not hold up every audit writer). `locked` is null in the answer when the lock was not taken.
type LockedEnds = ChainEnds & { locked: boolean | null };
const countHitsLockingChain = new Map<number, PreparedStatement<HitRow & LockedEnds & { i: number }>>();
function hitsLockingChain(n: number): PreparedStatement<HitRow & LockedEnds & { i: number }> {
  let stmt = countHitsLockingChain.get(n);
  if (!stmt) {
    const ctes = Array.from({ length: n }, (_, i) => `hit_${i} as (${upsertHit})`).join(', ');
    // `numeric`: a limit set far above any count (1e10, say, to switch a limit off) is compared as it is in JS.
    const withinLimits = Array.from({ length: n }, (_, i) => `(select count from hit_${i}) <= ?::numeric`).join(' and ');
    const ends = `ends as (select true as locked, e.* from (${LOCK_AND_CHAIN_ENDS}) e where ${withinLimits})`;
    const rows = Array.from({ length: n }, (_, i) => `select ${i} as i, h.count, h.window_start, ends.* from hit_${i} h left join ends on true`).join(' union all ');
    stmt = preparedStatement(`with ${ctes}, ${ends} ${rows}`, 'carries_deferred');
    countHitsLockingChain.set(n, stmt);
  }
  return stmt;
}

/** One hit to count: the bucket (from `rateBucket`), its rule and, for the refusal's words, what it limits. */
export interface RateLimitHit {
  bucket: string;
  rule: RateLimitRule;
  what?: RateLimitWhat;
}

/** Counts one hit; throws MAMORI_RATE_LIMITED (429) above the limit. Runs on its own so refusals still count. */
export async function hitRateLimit(db: DbOrTrx, clock: Clock, bucket: string, rule: RateLimitRule, what?: RateLimitWhat): Promise<void> {
  await hitRateLimits(db, clock, [{ bucket, rule, ...(what ? { what } : {}) }]);
}

/**
 * Counts several hits (different buckets) at once: one statement on PostgreSQL, one per hit on SQLite (no round
 * trips there). Every hit is counted, then the first one above its limit, in the order given, throws
 * MAMORI_RATE_LIMITED; inside a transaction the caller's rollback takes every count of the call back, as it would
 * with one call per hit. `lockAuditChain` (in a transaction that appends audit events next, as a filing does): on
 * PostgreSQL, when no hit is refused, the same statement then takes the audit chain's lock and reads its ends for
 * that append (one round trip less; the lock is held from one round trip earlier than the append would take it).
 */
export async function hitRateLimits(db: DbOrTrx, clock: Clock, hits: readonly RateLimitHit[], opts: { lockAuditChain?: boolean } = {}): Promise<void> {
  const now = clock.now();
  const nowIso = now.toISOString();
  const params = (h: RateLimitHit) => {
    const cutoff = new Date(now.getTime() - h.rule.windowMs).toISOString();
    return [h.bucket, nowIso, cutoff, cutoff, nowIso];
  };
  const rows: (HitRow | undefined)[] = [];
  if (opts.lockAuditChain && hits.length > 0 && dialectOf(db) === 'postgres') {
    const found = (await hitsLockingChain(hits.length).run(db, [...hits.flatMap(params), ...hits.map((h) => h.rule.limit)])).rows;
    for (const r of found) rows[Number(r.i)] = r;
    if (found[0]?.locked) chainEndsRead(db, found[0]);
  } else if (hits.length > 1 && dialectOf(db) === 'postgres') {
    const found = (await hitsTogether(hits.length).run(db, hits.flatMap(params))).rows;
    for (const r of found) rows[Number(r.i)] = r;
  } else {
    for (const h of hits) rows.push((await countHit.run(db, params(h))).rows[0]);
  }
  hits.forEach((h, i) => {
    const row = rows[i];
    if (!row) throw new Error('the rate limit upsert returned no row');
    if (Number(row.count) > h.rule.limit) {
      const retryAfterS = Math.max(1, Math.ceil((new Date(row.window_start).getTime() + h.rule.windowMs - now.getTime()) / 1000));
      const wait = `Please wait about ${Math.ceil(retryAfterS / 60)} minute(s) and try again.`;
      throw new MamoriError('MAMORI_RATE_LIMITED', h.what ? `${refusedBecause[h.what]} ${wait}` : `Too many attempts. ${wait}`, { retryAfterSeconds: retryAfterS, ...(h.what ? { limit: h.what } : {}) });
    }
  });
}
