import type { Rich } from '../policy-document.ts';
import { section, type RenderContext, type SectionDraft } from '../render-context.ts';

/** The section: Accredited organization. */
export function accreditedSection(ctx: RenderContext): SectionDraft | undefined {
  const { L, t, self, service, p, policy } = ctx;
  if (!policy.operator.accredited_organization) return undefined;
  const a = policy.operator.accredited_organization;
  const items: Array<{ term: string; content: Rich }> = [
    { term: L('認定個人情報保護団体の名称', 'Name'), content: [t(a.name)] },
    { term: L('苦情の解決の申出先', 'Complaints office'), content: [t(a.complaint_office)] },
    { term: L('住所', 'Address'), content: [t(a.address)] },
    { term: L('電話番号', 'Phone'), content: [a.phones.join(L('、', ', '))] },
  ];
  if (a.url) items.push({ term: L('ウェブサイト', 'Website'), content: [{ href: a.url, text: a.url }] });
  return section('accredited', L('認定個人情報保護団体', 'Accredited personal information protection organization'), [
    p(L(`${self.ja}は、次の認定個人情報保護団体の対象事業者です。同団体では、対象事業者の個人情報の取扱いに関する苦情の解決を受け付けています。`, 'We are a member of the following accredited personal information protection organization, which handles complaints about how its members handle personal information.')),
    { kind: 'fields', items },
    p(L(`同団体は、本サービスの内容や${self.ja}へのお問い合わせの窓口ではありません。本サービスに関するお問い合わせは、前記の窓口までご連絡ください。`, 'The organization is not a contact point for the service itself; please send questions about the service to our contacts above.')),
    ...(a.note ? [p(t(a.note))] : []),
  ]);
}
