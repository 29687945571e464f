import { section, type RenderContext, type SectionDraft } from '../render-context.ts';

/** The section: Outsourcing (委託) and supervision. */
export function outsourcingSection(ctx: RenderContext): SectionDraft | undefined {
  const { L, t, self, dataNames, countryName, p, policy } = ctx;
  const prov = policy.provision;
  if (prov.outsourcing.length === 0) return undefined;
  return section('outsourcing', L('個人データの取扱いの委託', 'Entrusting the handling of personal data'), [
    p(L(`${self.ja}は、利用目的の達成に必要な範囲内で、個人データの取扱いの全部又は一部を委託することがあります。委託先は個人データを適切に取り扱うと認められる者から選定し、委託契約において安全管理措置、秘密保持、再委託の条件等を定めたうえで、委託先に対し必要かつ適切な監督を行います。`, `We may entrust all or part of the handling of personal data to contractors, within what the purposes of use require. We choose contractors that can be trusted to handle personal data properly, set security measures, confidentiality and the conditions for subcontracting in the contract, and supervise them as needed.`)),
    {
      kind: 'table',
      head: [L('委託する業務', 'Task'), L('委託先', 'Contractor'), L('取り扱う情報', 'Information handled'), L('所在国', 'Country'), L('監督の方法', 'Supervision')],
      rows: prov.outsourcing.map((o) => [[t(o.task)], [o.contractor ? t(o.contractor) : '—'], [dataNames(o.data)], [o.country ? countryName(o.country) : '—'], [o.supervision ? t(o.supervision) : L('委託契約の締結及び取扱状況の定期的な確認', 'A contract and regular checks of how the data is handled')]]),
    },
  ]);
}
