import type { Block } from '../policy-document.ts';
import { section, type RenderContext, type SectionDraft } from '../render-context.ts';

/** The section: Retention. */
export function retentionSection(ctx: RenderContext): SectionDraft | undefined {
  const { L, t, dataName, dataNames, p, policy } = ctx;
  if (!policy.retention) return undefined;
  const blocks: Block[] = [p(t(policy.retention.general))];
  // One table: the periods of retention.items, then items' own periods not already listed there.
  const listed = new Set(policy.retention.items.flatMap((r) => r.data));
  const rows = [
    ...policy.retention.items.map((r) => [[dataNames(r.data)], [t(r.period)]]),
    ...policy.data.flatMap((d) => (d.retention && !listed.has(d.id) ? [[[dataName(d)], [t(d.retention)]]] : [])),
  ];
  if (rows.length > 0) blocks.push({ kind: 'table', head: [L('情報の項目', 'Information'), L('保存期間', 'Retention period')], rows });
  blocks.push(p(L('保存期間が経過した個人データ及び利用する必要がなくなった個人データは、遅滞なく消去するよう努めます。', 'We endeavour to erase personal data without delay once its retention period has passed or we no longer need it.')));
  return section('retention', L('保存期間', 'Retention'), blocks);
}
