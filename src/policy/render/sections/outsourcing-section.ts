import { section, type RenderContext, type SectionDraft } from '../render-context.ts';

/** The section: Outsourcing (委託) and supervision. */
export function outsourcingSection(ctx: RenderContext): SectionDraft | undefined {
  const { L, t, self, dataNames, countryName, p, policy } = ctx;
  const prov = policy.provision;
  if (prov.outsourcing.length === 0) return undefined;
  return section('outsourcing', L('個人データの取扱いの委託', 'Entrusting the handling of personal data'), [
    // Only the law's own duty (25条) is stated; how each contractor is supervised comes from the file, or is left blank.
    p(L(`${self.ja}は、利用目的の達成に必要な範囲内で、個人データの取扱いの全部又は一部を委託することがあります。委託する場合は、個人情報保護法第25条に従い、委託先に対して必要かつ適切な監督を行います。`, `We may entrust all or part of the handling of personal data to contractors, within what the purposes of use require. When we do, we supervise them as necessary and appropriate, as Article 25 of the Act requires.`)),
    {
      kind: 'table',
      head: [L('委託する業務', 'Task'), L('委託先', 'Contractor'), L('取り扱う情報', 'Information handled'), L('所在国', 'Country'), L('監督の方法', 'Supervision')],
      rows: prov.outsourcing.map((o) => [[t(o.task)], [o.contractor ? t(o.contractor) : '—'], [dataNames(o.data)], [o.country ? countryName(o.country) : '—'], [o.supervision ? t(o.supervision) : '—']]),
    },
  ]);
}
