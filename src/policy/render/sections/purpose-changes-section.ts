import type { Block } from '../policy-document.ts';
import { section, type RenderContext, type SectionDraft } from '../render-context.ts';

/** The section: Purpose changes (17条2項, 21条3項). */
export function purposeChangesSection(ctx: RenderContext): SectionDraft | undefined {
  const { L, t, self, service, listOr, p, policy } = ctx;
  // Without purpose_changes in the file there is nothing declared to say (lint warns).
  const pc = policy.purpose_changes;
  if (!pc) return undefined;
  const how = pc.methods.map((m) => (m === 'notify' ? L('ご本人への通知', 'notifying you') : L('本サービス上での公表', 'publishing them on the service')));
  const blocks: Block[] = [
    p(L(`${self.ja}は、利用目的を変更する場合、変更前の利用目的と関連性を有すると合理的に認められる範囲内で行い、変更後の利用目的を${listOr(how)}によりお知らせします。`, `If we change the purposes of use, the new purposes will stay reasonably related to the former ones, and we will announce them by ${listOr(how)}.`)),
  ];
  if (pc.rule === 'consent_for_unrelated') {
    blocks.push(p(L('この範囲を超えて利用目的を変更する場合は、あらかじめご本人の同意を得ます。', 'Before any change beyond that range, we will ask for your consent.')));
  }
  if (pc.note) blocks.push(p(t(pc.note)));
  return section('purpose_changes', L('利用目的の変更', 'Changes to the purposes of use'), blocks);
}
