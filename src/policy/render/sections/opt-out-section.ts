import { formatDualDate, formatWesternDate } from '../../era-date.ts';
import { section, type RenderContext, type SectionDraft } from '../render-context.ts';

/** The section: Opt-out provision (27条2項). */
export function optOutSection(ctx: RenderContext): SectionDraft | undefined {
  const { lang, L, t, self, dataNames, contactInline, purposeById, p, policy } = ctx;
  const prov = policy.provision;
  if (!prov.opt_out) return undefined;
  const o = prov.opt_out;
  const filing = o.ppc_filing;
  const declared = o.purpose ? purposeById.get(o.purpose) : undefined;
  const filingText = (() => {
    switch (filing.status) {
      case 'planned': return L('個人情報保護委員会への届出を予定しています。', 'We will file these matters with the Personal Information Protection Commission.');
      case 'filed': return L(`個人情報保護委員会に届け出ています${filing.filed_on ? `（届出日: ${formatWesternDate(filing.filed_on, 'ja')}）` : ''}。`, `We have filed these matters with the Personal Information Protection Commission${filing.filed_on ? ` (filed ${formatWesternDate(filing.filed_on, 'en')})` : ''}.`);
      case 'published': return L(`個人情報保護委員会に届け出ており、同委員会により公表されています${filing.published_on ? `（公表日: ${formatWesternDate(filing.published_on, 'ja')}）` : ''}。`, `We have filed these matters with the Personal Information Protection Commission, which has published them${filing.published_on ? ` (published ${formatWesternDate(filing.published_on, 'en')})` : ''}.`);
      default: { const never: never = filing.status; return never; }
    }
  })();
  return section('opt_out', L('オプトアウトによる第三者提供', 'Provision to third parties on an opt-out basis'), [
    p(L(`${self.ja}は、個人情報保護法第27条第2項に基づき、次のとおり個人データを第三者に提供します。ご本人から求めがあった場合は、そのご本人を識別する個人データの第三者への提供を停止します。なお、要配慮個人情報はこの方法では提供しません。`, `Under Article 27(2) of the Act, we provide personal data to third parties as set out below. If you ask us to, we stop providing the personal data that identifies you. We never provide special care-required personal information this way.`)),
    {
      kind: 'fields',
      items: [
        { term: L('事業者の名称・住所・代表者', 'Operator name, address and representative'), content: [[t(policy.operator.name), policy.operator.address ? t(policy.operator.address) : '', policy.operator.representative ? t(policy.operator.representative) : ''].filter(Boolean).join(L('／', ' / '))] },
        // 27条2項2号: said only from the purpose the operator declared (lint requires one); never asserted on its own.
        { term: L('第三者への提供を利用目的とすること', 'Provision to third parties is a purpose'), content: [declared ? L(`第三者への提供は、次の利用目的に含まれます：${t(declared.description)}`, `Provision to third parties is part of this purpose of use: ${t(declared.description)}`) : '—'] },
        { term: L('提供する個人データの項目', 'Items of personal data provided'), content: [dataNames(o.data)] },
        { term: L('提供先', 'Recipients'), content: [t(o.recipients)] },
        { term: L('個人データの取得の方法', 'How the data is acquired'), content: [t(o.acquisition)] },
        { term: L('提供の方法', 'How the data is provided'), content: [t(o.method)] },
        { term: L('ご本人の求めに応じて提供を停止すること', 'Stopping provision on request'), content: [L('ご本人の求めに応じて、当該ご本人が識別される個人データの第三者への提供を停止します。', 'On your request, we stop providing the personal data that identifies you.')] },
        { term: L('停止の求めを受け付ける方法', 'How to ask us to stop'), content: o.stop_request_contacts.flatMap((id, i) => (i === 0 ? contactInline(id) : [L('／', ' / '), ...contactInline(id)])) },
        { term: L('個人データの更新の方法', 'How the data is updated'), content: [t(o.update_method)] },
        { term: L('提供を開始する予定日', 'Planned start date'), content: [formatDualDate(o.start_date, lang)] },
        { term: L('個人情報保護委員会への届出', 'Filing with the Commission'), content: [filingText] },
      ],
    },
  ]);
}
