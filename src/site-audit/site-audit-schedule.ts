import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { appendAudit, listAuditEvents } from '../audit/audit-log.ts';
import { MamoriError } from '../errors.ts';
import { runSiteAudit } from './run-site-audit.ts';
import { runLeasedJobSlot } from '../jobs/job-lease.ts';
import type { SlotOutcome } from '../jobs/job-slot.ts';
import { findingKinds, type SiteAuditFinding, type SiteAuditResult } from './site-audit-types.ts';

/** The audit log action of a finished site audit (no `_`: listAuditEvents treats it as a wildcard); its data is what the console shows. */
export const SITE_AUDIT_ACTION = 'site.audited';

export interface SiteAuditSchedule {
  urls: string[];
  everyHours: number;
  pages: number;
  /** Chromium --host-resolver-rules (a staging copy, or tests). */
  hostRules: string | undefined;
}

const envSchema = z.object({
  MAMORI_SITE_AUDIT_URLS: z.string().optional(),
  MAMORI_SITE_AUDIT_HOURS: z.coerce.number().positive().max(24 * 31).default(24),
  MAMORI_SITE_AUDIT_PAGES: z.coerce.number().int().min(1).max(1000).default(10),
  MAMORI_SITE_AUDIT_HOST_RULES: z.string().optional(),
});

/**
 * The schedule from the environment: `MAMORI_SITE_AUDIT_URLS` (comma-separated start pages of the operator's site)
 * turns it on; `MAMORI_SITE_AUDIT_HOURS` (default 24) and `MAMORI_SITE_AUDIT_PAGES` (default 10) tune it.
 * Bad values fail at start-up with the variable named.
 */
export function siteAuditScheduleFromEnv(env: NodeJS.ProcessEnv): SiteAuditSchedule | undefined {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MamoriError('MAMORI_CONFIG_INVALID', `${String(issue?.path[0] ?? 'MAMORI_SITE_AUDIT_*')}: ${issue?.message ?? 'invalid'} (e.g. MAMORI_SITE_AUDIT_HOURS=24, MAMORI_SITE_AUDIT_PAGES=10)`);
  }
  const urls = (parsed.data.MAMORI_SITE_AUDIT_URLS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (urls.length === 0) return undefined;
  for (const u of urls) {
    if (!z.url({ protocol: /^https?$/ }).safeParse(u).success) throw new MamoriError('MAMORI_CONFIG_INVALID', `MAMORI_SITE_AUDIT_URLS: "${u}" is not an http(s) URL`);
  }
  return { urls, everyHours: parsed.data.MAMORI_SITE_AUDIT_HOURS, pages: parsed.data.MAMORI_SITE_AUDIT_PAGES, hostRules: parsed.data.MAMORI_SITE_AUDIT_HOST_RULES };
}

/** What the audit log keeps of a run: counts, pages and up to 100 findings (hosts, cookie names, page URLs; no query values). */
export interface SiteAuditSummary {
  site: string;
  start: string[];
  pages: number;
  durationMs: number;
  counts: Record<string, number>;
  findings: SiteAuditFinding[];
  error: string | null;
}

export function summarizeSiteAudit(result: SiteAuditResult): SiteAuditSummary {
  const counts: Record<string, number> = {};
  for (const k of findingKinds) counts[k] = 0;
  for (const f of result.findings) counts[f.kind] = (counts[f.kind] ?? 0) + 1;
  return { site: result.site, start: result.start, pages: result.pages.length, durationMs: result.durationMs, counts, findings: result.findings.slice(0, 100), error: null };
}

/** Runs one audit of the configured pages against the policy in force and records it in the audit log. */
export async function runScheduledSiteAudit(ctx: AppContext, schedule: SiteAuditSchedule): Promise<SiteAuditSummary> {
  let summary: SiteAuditSummary;
  try {
    const result = await runSiteAudit({ urls: schedule.urls, policy: ctx.policy.policy, maxPages: schedule.pages, chromiumArgs: schedule.hostRules ? [`--host-resolver-rules=${schedule.hostRules}`] : [], clock: () => ctx.clock.now() });
    summary = summarizeSiteAudit(result);
  } catch (err) {
    const message = err instanceof MamoriError ? `${err.code}: ${err.message}` : 'the audit failed unexpectedly';
    summary = { site: schedule.urls[0] ?? '', start: schedule.urls, pages: 0, durationMs: 0, counts: {}, findings: [], error: message };
  }
  await appendAudit(ctx.store.db, ctx.clock, { actor: 'system', action: SITE_AUDIT_ACTION, targetType: 'site', targetId: summary.site, data: { ...summary } });
  return summary;
}

/** The newest recorded site audits, newest first. */
export async function latestSiteAudits(ctx: AppContext, limit = 10): Promise<Array<{ at: string; summary: SiteAuditSummary }>> {
  const events = await listAuditEvents(ctx.store.db, { actionPrefix: SITE_AUDIT_ACTION, limit });
  return events.map((e) => ({ at: e.at, summary: summaryOf(e.data) }));
}

const findingSchema = z.object({ kind: z.enum(findingKinds), pass: z.enum(['no_choice', 'reject_all', 'accept_all', 'gpc']).nullable(), tool: z.string().nullable(), host: z.string().nullable(), cookie: z.string().nullable(), pages: z.array(z.string()), message: z.string() });
const summarySchema = z.object({ site: z.string(), start: z.array(z.string()), pages: z.number(), durationMs: z.number(), counts: z.record(z.string(), z.number()), findings: z.array(findingSchema), error: z.string().nullable() });

/** Audit-log data is read back through a schema, never cast. */
function summaryOf(data: unknown): SiteAuditSummary {
  const r = summarySchema.safeParse(data);
  return r.success ? r.data : { site: '', start: [], pages: 0, durationMs: 0, counts: {}, findings: [], error: 'this record could not be read' };
}

/** The scheduled_jobs row of the site audit: its slot is claimed under a lease (see runLeasedJobSlot). */
export const SITE_AUDIT_JOB = 'site.audit';

/** The slot `now` falls in: periods of `everyHours` counted from the epoch (slots compare as ISO strings). */
export function siteAuditSlot(now: Date, everyHours: number): string {
  const periodMs = everyHours * 3600_000;
  return new Date(Math.floor(now.getTime() / periodMs) * periodMs).toISOString();
}

export interface SiteAuditRunner {
  /** Offers the current slot's audit now: ran here, busy (another instance runs it) or done; `failed` if the claim itself failed. */
  tickOnce(): Promise<SlotOutcome<SiteAuditSummary>['status'] | 'failed'>;
  stop(): Promise<void>;
}

/**
 * Runs the audit once per period of `everyHours`, first offered a minute after start-up and then every hour.
 * Several mamori processes sharing a database each offer it; the database gives each period's audit to one of them
 * under a lease, renewed while Chromium works, so two instances never audit the same period, and an instance that
 * dies mid-audit leaves it to the next one to ask once its lease lapses.
 */
export function startSiteAuditSchedule(ctx: AppContext, schedule: SiteAuditSchedule, opts: { firstRunMs?: number; leaseMs?: number } = {}): SiteAuditRunner {
  let running: Promise<SlotOutcome<SiteAuditSummary>['status'] | 'failed'> | null = null;
  let stopped = false;
  const intervalMs = schedule.everyHours * 3600_000;
  const tickOnce = () => {
    if (running) return running;
    const slot = siteAuditSlot(ctx.clock.now(), schedule.everyHours);
    const run = runLeasedJobSlot(ctx.store, ctx.clock, SITE_AUDIT_JOB, slot, () => runScheduledSiteAudit(ctx, schedule), opts.leaseMs === undefined ? {} : { leaseMs: opts.leaseMs })
      .then((o) => o.status, () => 'failed' as const)
      .finally(() => {
        running = null;
      });
    running = run;
    return run;
  };
  const tick = () => {
    if (!stopped) void tickOnce();
  };
  const first = setTimeout(tick, opts.firstRunMs ?? 60_000);
  const timer = setInterval(tick, Math.min(intervalMs, 3600_000));
  first.unref();
  timer.unref();
  return {
    tickOnce,
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
