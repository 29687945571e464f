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
    const unidentified = f.country_unidentified;
    // 規則17条3項: where the country cannot be identified, say so and why, and give what information there is instead.
    const country = f.country ? countryName(f.country) : L('特定できません', 'not identifiable');
    const countryContent = f.country
      ? [country]
      : [L(`同意をいただく時点では、提供先の所在国を特定できません。${unidentified ? `理由：${t(unidentified.reason)}` : ''}`, `The recipient's country cannot be identified when we ask for your consent.${unidentified ? ` Why: ${t(unidentified.reason)}` : ''}`)];
    blocks.push({ kind: 'heading', text: L(`${t(f.recipient)}（${country}）`, `${t(f.recipient)} (${country})`) });
    blocks.push({
      kind: 'fields',
      items: [
        { term: L('提供先の所在国', 'Country'), content: countryContent },
        ...(unidentified?.reference ? [{ term: L('所在国に代わる参考情報', 'Information in place of the country'), content: [t(unidentified.reference)] }] : []),
        { term: L('提供する情報', 'Information provided'), content: [dataNames(f.data)] },
        { term: L('提供の根拠', 'Basis'), content: [basisText(f.basis)] },
        ...(f.regime ? [{ term: L('当該国の個人情報の保護に関する制度', "The country's personal information regime"), content: [t(f.regime)] }] : []),
        ...(f.measures ? [{ term: L('提供先が講ずる個人情報の保護のための措置', "The recipient's protective measures"), content: [t(f.measures)] }] : []),
      ],
    });
  }
  blocks.push(p(L('各国の制度については、個人情報保護委員会が公表している資料もご参照ください。', "For each country's regime, see also the material published by the Personal Information Protection Commission."), ' ', { href: 'https://www.ppc.go.jp/personalinfo/legal/kaiseihogohou/#gaikoku', text: L('個人情報保護委員会「外国における個人情報の保護に関する制度等の調査」', 'PPC: survey of foreign personal information regimes') }));
  return section('foreign', L('外国にある第三者への提供', 'Provision to recipients in foreign countries'), blocks);
}
