import type { Block } from '../policy-document.ts';
import { section, type RenderContext, type SectionDraft } from '../render-context.ts';

/** The section: Purposes per subject group. */
export function purposesSection(ctx: RenderContext): SectionDraft {
  const { L, t, self, list, dataNames, p, policy } = ctx;
  const blocks: Block[] = [p(L(`${self.ja}は、取得した個人情報を次の目的の達成に必要な範囲で利用し、ご本人の同意を得ずにこれを超えて利用することはありません（法令に基づく場合等を除きます。）。`, `We use personal information only as needed for the following purposes, and not beyond them without your consent (except where the law allows).`))];
  for (const g of policy.subject_groups) {
    const purposes = policy.purposes.filter((pp) => pp.subject_groups.includes(g.id));
    if (purposes.length === 0) continue;
    blocks.push({ kind: 'heading', text: L(`${t(g.name)}に関する利用目的`, `Purposes for ${t(g.name)}`) });
    if (g.role === 'processor') blocks.push(p(L('これらの情報は、委託元との契約で定められた範囲でのみ利用します。', 'We use this information only within what our contract with the entrusting organization allows.')));
    blocks.push({
      kind: 'list',
      ordered: true,
      items: purposes.map((pp) => {
        let s = t(pp.description);
        // Name only what is acquired from this group: a visitor should not read that their name is used.
        const groupData = pp.data.filter((id) => policy.data.find((d) => d.id === id)?.subject_groups.includes(g.id) ?? false);
        const used = groupData.length > 0 ? groupData : pp.data;
        s += L(`（利用する情報: ${dataNames(used)}）`, ` (information used: ${dataNames(used)})`);
        switch (pp.choice) {
          case 'consent': s += L('　※ご本人の同意をいただいた場合に限り利用します。', ' — only with your consent.'); break;
          case 'opt_out': s += L('　※設定によりいつでも停止できます。', ' — you can turn this off at any time in your settings.'); break;
          case 'none': break;
          default: { const never: never = pp.choice; return never; }
        }
        return [s];
      }),
    });
  }
  blocks.push(p(L(`入力フォームや書面等によりご本人から直接個人情報を取得する場合は、あらかじめ利用目的をお示しします。`, 'When we collect personal information directly from you through a form or in writing, we state the purposes beforehand.')));
  return section('purposes', L('利用目的', 'Purposes of use'), blocks);
}
