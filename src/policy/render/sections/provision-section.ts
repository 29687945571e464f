import { statutoryExceptions } from '../../../law/appi/statutory-exceptions.ts';
import { articleEn } from '../render-toolkit.ts';
import type { Block } from '../policy-document.ts';
import { section, type RenderContext, type SectionDraft } from '../render-context.ts';

/** The section: Third-party provision (27条1項) and consent-based provision. */
export function provisionSection(ctx: RenderContext): SectionDraft {
  const { lang, L, t, self, list, dataNames, natureOf, p, ul, policy } = ctx;
  const prov = policy.provision;
  const blocks: Block[] = [
    p(L(`${self.ja}は、次のいずれかに該当する場合を除き、あらかじめご本人の同意を得ることなく、個人データを第三者に提供しません。`, `We do not provide personal data to third parties without your prior consent, except in the following cases.`)),
    { kind: 'list', ordered: true, items: prov.statutory_exceptions.map((k) => [`${statutoryExceptions[k].label[lang]}${L(`（個人情報保護法${statutoryExceptions[k].article}）`, ` (APPI Art. ${articleEn(statutoryExceptions[k].article)})`)}`]) },
  ];
  if (prov.consent_based.length > 0) {
    blocks.push({ kind: 'heading', text: L('ご本人の同意に基づく提供', 'Provision with your consent') });
    blocks.push(p(L('ご本人の同意をいただいたうえで、次のとおり個人データを提供します。', 'With your consent, we provide personal data as follows.')));
    blocks.push({
      kind: 'table',
      head: [L('提供先', 'Recipient'), L('提供する情報', 'Information provided'), L('提供先の利用目的', "Recipient's purpose"), L('備考', 'Notes')],
      rows: prov.consent_based.map((c) => [[t(c.recipient)], [dataNames(c.data)], [t(c.purpose)], [c.note ? t(c.note) : '']]),
    });
  }
  const notThird: string[] = [];
  notThird.push(L('利用目的の達成に必要な範囲内で個人データの取扱いを委託する場合', 'When we entrust the handling of personal data to a contractor within the purposes of use'));
  if (prov.succession) notThird.push(L('合併その他の事由による事業の承継に伴って個人データが提供される場合', 'When personal data passes to a successor in a merger or other business succession'));
  if (prov.joint_use.length > 0) notThird.push(L('次の「共同利用」の節に定めるとおり個人データを共同して利用する場合', 'When we use personal data jointly as set out in the section on joint use'));
  blocks.push(p(L('なお、次の場合の提供先は、個人情報保護法上の第三者には該当しません。', 'The recipient in the following cases is not a third party under the Act.')));
  blocks.push(ul(notThird));
  if (prov.internal_recipients) blocks.push(p(t(prov.internal_recipients)));
  if (policy.data.some((d) => natureOf(d) === 'person_related')) {
    blocks.push(p(L(`個人関連情報を第三者に提供する場合において、提供先がこれを個人データとして取得することが想定されるときは、提供先がご本人の同意を得ていることを確認したうえで提供し、その確認の記録を作成・保存します。`, `When we provide person-related information to a third party that we expect to acquire it as personal data, we first confirm that the recipient has your consent, and we keep a record of that confirmation.`)));
  }
  return section('provision', L('個人データの第三者提供', 'Provision of personal data to third parties'), blocks);
}
