import type { Block } from '../policy-document.ts';
import { section, type RenderContext, type SectionDraft } from '../render-context.ts';

/** The section: Contact and complaints. */
export function contactSection(ctx: RenderContext): SectionDraft {
  const { L, t, list, contactInline, p, policy } = ctx;
  const op = policy.operator;
  const complaintIds = op.complaint_contacts && op.complaint_contacts.length > 0 ? op.complaint_contacts : op.contacts.map((c) => c.id);
  const blocks: Block[] = [
    p(L(`本ポリシー及び個人情報の取扱いに関するお問い合わせ、ご相談及び苦情は、次の窓口で受け付けます。`, 'Please send questions, consultations and complaints about this policy or how we handle personal information to the contacts below.')),
    { kind: 'list', items: complaintIds.map((id) => contactInline(id)) },
  ];
  const others = op.contacts.filter((c) => !complaintIds.includes(c.id));
  if (others.length > 0) {
    blocks.push(p(L('その他の連絡先は次のとおりです。', 'Other contacts:')));
    blocks.push({ kind: 'list', items: others.map((c) => contactInline(c.id)) });
  }
  if (op.privacy_officer) blocks.push(p(L(`個人情報の取扱いに関する責任者: ${t(op.privacy_officer)}`, `Person responsible for personal information: ${t(op.privacy_officer)}`)));
  return section('contact', L('お問い合わせ・苦情の窓口', 'Contact and complaints'), blocks);
}
