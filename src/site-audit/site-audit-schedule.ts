import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { appendAudit, listAuditEvents } from '../audit/audit-log.ts';
import { MamoriError } from '../errors.ts';
import { runSiteAudit } from './run-site-audit.ts';
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

/**
 * Runs the audit every `everyHours`, first a minute after start-up. Before each run it reads the newest recorded
 * audit, so several mamori processes sharing a database do not all run it.
 */
export function startSiteAuditSchedule(ctx: AppContext, schedule: SiteAuditSchedule, opts: { firstRunMs?: number } = {}): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const intervalMs = schedule.everyHours * 3600_000;
  const tick = () => {
    if (running || stopped) return;
    running = (async () => {
      const [last] = await latestSiteAudits(ctx, 1);
      if (last && ctx.clock.now().getTime() - Date.parse(last.at) < intervalMs * 0.9) return;
      await runScheduledSiteAudit(ctx, schedule);
    })()
      .catch(() => {})
      .finally(() => {
        running = null;
      });
  };
  const first = setTimeout(tick, opts.firstRunMs ?? 60_000);
  const timer = setInterval(tick, Math.min(intervalMs, 3600_000));
  first.unref();
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
