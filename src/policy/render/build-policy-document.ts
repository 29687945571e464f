import type { Policy } from '../schema.ts';
import { formatDualDate, formatWesternDate } from '../era-date.ts';
import type { Block, DocumentOptions, PolicyDocument } from './policy-document.ts';
import { createRenderContext, type RenderContext, type SectionDraft } from './render-context.ts';
import { mergedHistory } from './policy-history.ts';
import { operatorSection } from './sections/operator-section.ts';
import { definitionsSection } from './sections/definitions-section.ts';
import { acquisitionSection } from './sections/acquisition-section.ts';
import { purposesSection } from './sections/purposes-section.ts';
import { purposeChangesSection } from './sections/purpose-changes-section.ts';
import { provisionSection } from './sections/provision-section.ts';
import { optOutSection } from './sections/opt-out-section.ts';
import { outsourcingSection } from './sections/outsourcing-section.ts';
import { successionSection } from './sections/succession-section.ts';
import { jointUseSection } from './sections/joint-use-section.ts';
import { foreignSection } from './sections/foreign-section.ts';
import { federationSection } from './sections/federation-section.ts';
import { toolsSection } from './sections/tools-section.ts';
import { externalTransmissionsSection } from './sections/external-transmissions-section.ts';
import { retentionSection } from './sections/retention-section.ts';
import { securitySection } from './sections/security-section.ts';
import { rightsSection } from './sections/rights-section.ts';
import { statisticsSection } from './sections/statistics-section.ts';
import { contactSection } from './sections/contact-section.ts';
import { accreditedSection } from './sections/accredited-section.ts';
import { changesSection } from './sections/changes-section.ts';
import { historySection } from './sections/history-section.ts';

/** The section modules in the order the policy states them; one that does not apply returns undefined. */
const sectionBuilders: Array<(ctx: RenderContext) => SectionDraft | undefined> = [
  operatorSection, definitionsSection, acquisitionSection, purposesSection, purposeChangesSection, provisionSection,
  optOutSection, outsourcingSection, successionSection, jointUseSection, foreignSection, federationSection, toolsSection,
  externalTransmissionsSection, retentionSection, securitySection, rightsSection, statisticsSection, contactSection, accreditedSection, changesSection,
];

/** Builds the document for one language. Pure: the same policy and options give the same document. */
export function buildPolicyDocument(policy: Policy, opts: DocumentOptions): PolicyDocument {
  const ctx = createRenderContext(policy, opts);
  const { lang, L, t, self, service, p } = ctx;
  const history = mergedHistory(policy, opts);
  const sections = [...sectionBuilders.map((build) => build(ctx)), historySection(ctx, history)].filter((s): s is SectionDraft => s !== undefined);

  const meta: string[] = [];
  const established = history.find((h) => h.kind === 'established');
  const last = history.at(-1);
  if (established) meta.push(L(`制定日: ${formatDualDate(established.date, 'ja')}`, `Established: ${formatDualDate(established.date, 'en')}`));
  if (last && last.kind === 'revised') meta.push(L(`最終改定日: ${formatDualDate(last.date, 'ja')}`, `Last revised: ${formatDualDate(last.date, 'en')}`));
  if (opts.version) meta.push(L(`第${opts.version.number}版（${formatWesternDate(opts.version.effectiveOn, 'ja')}施行）`, `Version ${opts.version.number}, effective ${formatWesternDate(opts.version.effectiveOn, 'en')}`));

  const operatorName = t(policy.operator.name);
  const selfIntro = self.ja === '運営者' ? `${operatorName}（以下「運営者」といいます。）` : `${operatorName}（以下「${self.ja}」といいます。）`;
  const intro: Block[] = [
    p(L(`${selfIntro}は、${service}（以下「本サービス」といいます。）における個人情報等の取扱いについて、個人情報の保護に関する法律（以下「個人情報保護法」といいます。）その他の関係法令及びガイドラインを遵守し、次のとおりプライバシーポリシー（以下「本ポリシー」といいます。）を定めます。`, `${operatorName} ("we") has set out this privacy policy ("this policy") on how it handles personal information in ${service} ("the service"), in compliance with the Act on the Protection of Personal Information ("the Act") and related laws and guidelines.`)),
  ];
  if (policy.service.scope) intro.push(p(t(policy.service.scope)));

  return {
    lang,
    title: L('プライバシーポリシー', 'Privacy Policy'),
    serviceName: service,
    intro,
    meta,
    sections: sections.map((s, i) => ({ ...s, id: s.key.replace(/_/g, '-'), number: i + 1 })),
    closing: lang === 'ja' ? '以上' : undefined,
  };
}
