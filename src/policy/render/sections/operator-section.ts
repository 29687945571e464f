import type { Block, Rich } from '../policy-document.ts';
import { section, type RenderContext, type SectionDraft } from '../render-context.ts';

/** The section: Operator. */
export function operatorSection(ctx: RenderContext): SectionDraft {
  const { L, t, service, p, policy } = ctx;
  const op = policy.operator;
  const items: Array<{ term: string; content: Rich }> = [{ term: L('名称', 'Name'), content: [t(op.name)] }];
  if (op.address) items.push({ term: L('住所', 'Address'), content: [t(op.address)] });
  if (op.representative) items.push({ term: L('代表者', 'Representative'), content: [t(op.representative)] });
  if (op.privacy_officer) items.push({ term: L('個人情報の取扱いに関する責任者', 'Person responsible for personal information'), content: [t(op.privacy_officer)] });
  const blocks: Block[] = [
    p(L(`本サービスを運営し、個人情報を取り扱う事業者は次のとおりです。`, `The service is run by the following operator, which handles personal information under this policy.`)),
    { kind: 'fields', items },
  ];
  if (op.group_members.length > 0) {
    // A group under one responsible company: each member is named with its own identity and what it does.
    blocks.push({ kind: 'heading', text: L('グループ各社', 'Group companies') });
    blocks.push(p(L(`本ポリシーは、${t(op.name)}及び次の各社が取り扱う個人情報に適用されます。本ポリシー及び個人情報の取扱いに関するお問い合わせは、${t(op.name)}が取りまとめて受け付けます。`, `This policy applies to personal information handled by ${t(op.name)} and by the companies below. ${t(op.name)} receives all inquiries about this policy and about how personal information is handled.`)));
    blocks.push({
      kind: 'table',
      head: [L('名称', 'Name'), L('住所', 'Address'), L('代表者', 'Representative'), L('担う役割', 'What it does')],
      rows: op.group_members.map((m) => [[t(m.name)], [m.address ? t(m.address) : '—'], [m.representative ? t(m.representative) : '—'], [t(m.role)]]),
    });
  }
  return section('operator', L('事業者の名称・住所・代表者', 'Who we are'), blocks);
}
