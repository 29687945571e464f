import type { Block } from '../policy-document.ts';
import { toolCountry } from '../../../law/appi/lint-rule.ts';
import { section, type RenderContext, type SectionDraft } from '../render-context.ts';

const securityCategories = ['organizational', 'human', 'physical', 'technical'] as const;

/** The section: Security measures (23条, 施行令10条1号). */
export function securitySection(ctx: RenderContext): SectionDraft | undefined {
  const { L, t, self, countryName, p, ul, policy } = ctx;
  const prov = policy.provision;
  const s = policy.security;
  // Nothing is said about measures the file does not state (lint requires the section).
  if (!s) return undefined;
  const blocks: Block[] = [];
  const stated = s.basic_policy || s.internal_rules || securityCategories.some((c) => s[c].length > 0);
  if (stated) blocks.push(p(L(`${self.ja}は、個人データの漏えい、滅失又は毀損の防止その他の安全管理のため、次の措置を講じています。`, 'To prevent leaks, loss or damage of personal data and otherwise keep it secure, we take the following measures.')));
  const group = (title: string, items: string[]) => { if (items.length > 0) { blocks.push({ kind: 'heading', text: title }); blocks.push(ul(items)); } };
  if (s.basic_policy) { blocks.push({ kind: 'heading', text: L('基本方針の策定', 'Basic policy') }); blocks.push(p(t(s.basic_policy))); }
  if (s.internal_rules) { blocks.push({ kind: 'heading', text: L('個人データの取扱いに係る規律の整備', 'Rules for handling personal data') }); blocks.push(p(t(s.internal_rules))); }
  group(L('組織的安全管理措置', 'Organizational measures'), s.organizational.map(t));
  group(L('人的安全管理措置', 'Human measures'), s.human.map(t));
  group(L('物理的安全管理措置', 'Physical measures'), s.physical.map(t));
  group(L('技術的安全管理措置', 'Technical measures'), s.technical.map(t));
  if (s.foreign_environment.length === 0) {
    // An empty list declares Japan-only handling, said only when nothing in the file points abroad (lint flags the
    // contradiction); otherwise the heading is left out rather than shown empty.
    const abroad = prov.outsourcing.some((o) => o.country && o.country !== 'JP') || prov.foreign.length > 0 || policy.tools.some((tool) => { const c = toolCountry(tool); return c !== undefined && c !== 'JP'; });
    if (!abroad) {
      blocks.push({ kind: 'heading', text: L('外的環境の把握', 'Understanding the foreign environment') });
      blocks.push(p(L('個人データは日本国内で取り扱っており、外国において個人データを取り扱うことはありません。', 'We handle personal data in Japan and do not handle it in any foreign country.')));
    }
  } else {
    blocks.push({ kind: 'heading', text: L('外的環境の把握', 'Understanding the foreign environment') });
    blocks.push(p(L('次の外国において個人データを取り扱っており、当該国の個人情報の保護に関する制度を把握したうえで安全管理措置を講じています。', 'We handle personal data in the following foreign countries, and take security measures based on what we know of their personal information regimes.')));
    blocks.push({ kind: 'table', head: [L('国', 'Country'), L('取り扱う内容', 'What is handled there'), L('制度の概要', 'The regime')], rows: s.foreign_environment.map((f) => [[countryName(f.country)], [t(f.what)], [t(f.regime)]]) });
  }
  if (s.withheld) blocks.push(p(t(s.withheld)));
  return section('security', L('安全管理措置', 'Security measures'), blocks);
}
