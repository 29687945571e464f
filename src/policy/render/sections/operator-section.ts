import type { Rich } from '../policy-document.ts';
import { section, type RenderContext, type SectionDraft } from '../render-context.ts';

/** The section: Operator. */
export function operatorSection(ctx: RenderContext): SectionDraft {
  const { L, t, service, p, policy } = ctx;
  const op = policy.operator;
  const items: Array<{ term: string; content: Rich }> = [{ term: L('名称', 'Name'), content: [t(op.name)] }];
  if (op.address) items.push({ term: L('住所', 'Address'), content: [t(op.address)] });
  if (op.representative) items.push({ term: L('代表者', 'Representative'), content: [t(op.representative)] });
  if (op.privacy_officer) items.push({ term: L('個人情報の取扱いに関する責任者', 'Person responsible for personal information'), content: [t(op.privacy_officer)] });
  return section('operator', L('事業者の名称・住所・代表者', 'Who we are'), [
    p(L(`本サービスを運営し、個人情報を取り扱う事業者は次のとおりです。`, `The service is run by the following operator, which handles personal information under this policy.`)),
    { kind: 'fields', items },
  ]);
}
