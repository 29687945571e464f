import type { Block } from '../policy-document.ts';
import { section, type RenderContext, type SectionDraft } from '../render-context.ts';

/** The section: Foreign recipients (28条). */
export function foreignSection(ctx: RenderContext): SectionDraft | undefined {
  const { L, t, self, dataNames, countryName, p, policy } = ctx;
  const prov = policy.provision;
  if (prov.foreign.length === 0) return undefined;
  const basisText = (b: 'consent' | 'equivalent_system' | 'adequate_country'): string => {
    switch (b) {
      case 'consent': return L('ご本人の同意に基づき提供します。', 'We provide it with your consent.');
      case 'equivalent_system': return L('提供先は、個人情報保護法に基づく措置に相当する措置を継続的に講ずるために必要な体制を整備しています。当社はその実施状況を定期的に確認し、ご本人の求めに応じて必要な情報を提供します。', 'The recipient has a system for continuously taking measures equivalent to those under the Act. We check this regularly and give you the relevant information on request.');
      case 'adequate_country': return L('提供先の所在国は、個人情報保護委員会が日本と同等の水準にあると認める国・地域です。', 'The recipient is in a country or region that the Commission recognizes as having an equivalent level of protection.');
      default: { const never: never = b; return never; }
    }
  };
  const blocks: Block[] = [p(L(`${self.ja}は、次のとおり外国にある第三者に個人データを提供します。`, 'We provide personal data to recipients in foreign countries as follows.'))];
  for (const f of prov.foreign) {
    blocks.push({ kind: 'heading', text: L(`${t(f.recipient)}（${countryName(f.country)}）`, `${t(f.recipient)} (${countryName(f.country)})`) });
    blocks.push({
      kind: 'fields',
      items: [
        { term: L('提供先の所在国', 'Country'), content: [countryName(f.country)] },
        { term: L('提供する情報', 'Information provided'), content: [dataNames(f.data)] },
        { term: L('提供の根拠', 'Basis'), content: [basisText(f.basis)] },
        ...(f.regime ? [{ term: L('当該国の個人情報の保護に関する制度', "The country's personal information regime"), content: [t(f.regime)] }] : []),
        ...(f.measures ? [{ term: L('提供先が講ずる個人情報の保護のための措置', "The recipient's protective measures"), content: [t(f.measures)] }] : []),
      ],
    });
  }
  blocks.push(p(L('各国の制度については、個人情報保護委員会が公表する資料も参照しています。', "For each country's regime we also rely on the material published by the Personal Information Protection Commission."), ' ', { href: 'https://www.ppc.go.jp/personalinfo/legal/kaiseihogohou/#gaikoku', text: L('個人情報保護委員会「外国における個人情報の保護に関する制度等の調査」', 'PPC: survey of foreign personal information regimes') }));
  return section('foreign', L('外国にある第三者への提供', 'Provision to recipients in foreign countries'), blocks);
}
