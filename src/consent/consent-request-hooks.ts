import type { AppContext } from '../context.ts';
import type { GatheredSection, RequestHooks } from '../requests/request-hooks.ts';
import { subjectConsents } from './consent-receipts.ts';
import { findConsentVersion } from './consent-versions.ts';

/** How the consent domain plugs into the request workflow: a disclosure includes the person's consent receipts. */
export function createConsentRequestHooks(ctx: Omit<AppContext, 'requestHooks'>): RequestHooks {
  return {
    async gather(req): Promise<GatheredSection[]> {
      const subjects = [...new Set([req.subjectId, req.identities.account_id].filter((s): s is string => typeof s === 'string' && s.length > 0))];
      const sections: GatheredSection[] = [];
      for (const subject of subjects) {
        const { receipts, preferences } = await subjectConsents(ctx.store.db, subject);
        if (receipts.length === 0) continue;
        // What the person was shown under each version their receipts name (purpose names and, for each, the tools).
        const shown: Record<string, unknown>[] = [];
        for (const version of [...new Set(receipts.map((r) => r.policyVersion))]) {
          const v = await findConsentVersion(ctx.store.db, version);
          shown.push({ version, first_served_at: v?.firstServedAt ?? null, policy_number: v?.policyNumber ?? null, purposes: (v?.purposes ?? []).map((p) => ({ id: p.id, label: p.label, choice: p.choice, tools: p.tools })) });
        }
        sections.push({
          source: 'consent',
          title: { ja: '同意・設定の記録', en: 'Consent and preference records' },
          groups: [
            { name: 'current_preferences', rows: Object.entries(preferences).map(([purpose, p]) => ({ purpose, allowed: p.allowed, method: p.method, policy_version: p.policyVersion, updated_at: p.updatedAt })) },
            { name: 'receipts', rows: receipts.map((r) => ({ id: r.id, recorded_at: r.recordedAt, method: r.method, policy_version: r.policyVersion, choices: r.choices })) },
            { name: 'versions_shown', rows: shown },
          ],
        });
      }
      return sections;
    },
  };
}
