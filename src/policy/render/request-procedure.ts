import type { AgentKind, AgentProof, DeliveryMethod, IdentityMethod, PaymentMethod, RequestKind, RequestProcedure } from '../schema.ts';
import { feeAllowed, requestKindRules } from '../../law/appi/request-kinds.ts';
import type { Rich } from './policy-document.ts';
import type { RenderContext } from './render-context.ts';
import { lowerFirst } from './render-toolkit.ts';

export type ProcedureFieldKey = 'channels' | 'identity' | 'agents' | 'fee' | 'delivery' | 'forms' | 'target_days' | 'postage' | 'note';
export interface ProcedureField {
  key: ProcedureFieldKey;
  term: string;
  content: Rich;
}
/** Fields stated once for all kinds when every kind has the same value (never the fee: 38条 differs by kind). */
export const commonFieldKeys: ProcedureFieldKey[] = ['channels', 'identity', 'agents', 'forms', 'target_days', 'postage'];

const identityNames: Record<IdentityMethod, { ja: string; en: string }> = {
  email_code: { ja: 'ご登録のメールアドレスに送信する確認コードの入力', en: 'Entering a confirmation code sent to your registered email address' },
  app_assertion: { ja: '本サービスにログインした状態での手続（ログインによる本人確認）', en: 'Making the request while signed in to the service (identity confirmed by your sign-in)' },
  id_document: { ja: '本人確認書類の写しのご提出', en: 'Submitting a copy of an identity document' },
  account_details: { ja: 'ご登録内容（アカウント情報等）との照合', en: 'Checking the details you give against your registered account' },
  postal_address_check: { ja: 'ご登録の住所への郵送による確認', en: 'Confirmation by post to your registered address' },
};

const agentKindNames: Record<AgentKind, { ja: string; en: string }> = {
  legal_representative: { ja: '未成年者又は成年被後見人の法定代理人', en: 'The legal representative of a minor or of an adult under guardianship' },
  mandated: { ja: 'ご本人が委任した代理人', en: 'An agent you have authorized' },
};

const agentProofNames: Record<AgentProof, { ja: string; en: string }> = {
  power_of_attorney: { ja: 'ご本人が署名（記名）押印した委任状', en: 'A power of attorney signed (and sealed) by you' },
  seal_certificate: { ja: '委任状に押印されたご本人の印鑑登録証明書', en: 'Your seal registration certificate for the seal on the power of attorney' },
  family_register: { ja: '戸籍謄本等、法定代理権を確認できる書類', en: 'A family register extract or another document showing legal representation' },
  guardianship_certificate: { ja: '成年後見登記事項証明書', en: 'A certificate of registered guardianship matters' },
  agent_identity_document: { ja: '代理人ご自身の本人確認書類', en: 'An identity document of the agent' },
  resident_record: { ja: '住民票の写し', en: 'A certified copy of the residence record' },
};

const paymentNames: Record<PaymentMethod, { ja: string; en: string }> = {
  bank_transfer: { ja: '銀行振込（振込手数料はご負担ください）', en: 'Bank transfer (transfer charges are yours to bear)' },
  card: { ja: 'クレジットカード', en: 'Credit card' },
  postal_money_order: { ja: '定額小為替', en: 'Postal money order' },
  convenience_store: { ja: 'コンビニエンスストアでのお支払い', en: 'Payment at a convenience store' },
  cash_on_site: { ja: '窓口での現金によるお支払い', en: 'Cash at our office' },
};

const deliveryNames: Record<DeliveryMethod, { ja: string; en: string }> = {
  electronic: { ja: '電磁的記録の提供（ダウンロード等）', en: 'Electronic records (for example, a download)' },
  paper: { ja: '書面の郵送', en: 'Paper documents sent by post' },
  other: { ja: '当社が定めるその他の方法', en: 'Another method we specify' },
};

/** The fields of one request kind's procedure, in the order the policy states them. */
export function procedureFields(ctx: RenderContext, kind: RequestKind, proc: RequestProcedure): ProcedureField[] {
  const { policy, lang, L, t, list, listOr, contactInline } = ctx;
  const items: ProcedureField[] = [];
  items.push({ key: 'channels', term: L('受付方法', 'Where to apply'), content: proc.channels.flatMap((id, i) => (i === 0 ? contactInline(id) : [L('／', ' / '), ...contactInline(id)])) });
  const ids = proc.identity.map((m) => identityNames[m][lang]);
  const docs = proc.identity_documents.map(t);
  items.push({ key: 'identity', term: L('ご本人確認', 'Identity verification'), content: [L(`${list(ids)}により、ご本人であることを確認します。${docs.length > 0 ? `本人確認書類には、${list(docs)}をご利用いただけます。` : ''}`, `We confirm your identity through the following: ${ids.map(lowerFirst).join("; ")}.${docs.length > 0 ? ` Accepted identity documents: ${list(docs)}.` : ''}`)] });
  if (proc.agents.allowed) {
    const kinds = proc.agents.kinds.map((k) => agentKindNames[k][lang]);
    const proofs = proc.agents.proofs.map((k) => agentProofNames[k][lang]);
    items.push({ key: 'agents', term: L('代理人による請求', 'Requests by an agent'), content: [L(`${listOr(kinds)}による請求も受け付けます。${proofs.length > 0 ? `代理人による請求の場合は、代理権等を確認するため、${list(proofs)}のうち該当するものをご提出ください。` : ''}`, `We also accept requests from ${listOr(kinds.map(lowerFirst))}.${proofs.length > 0 ? ` To confirm the agent's authority, please submit whichever of the following apply: ${list(proofs.map(lowerFirst))}.` : ''}`)] });
  } else {
    items.push({ key: 'agents', term: L('代理人による請求', 'Requests by an agent'), content: [L('代理人による請求は受け付けておりません。ご本人からご請求ください。', 'We do not accept requests by agents; please apply yourself.')] });
  }
  items.push({ key: 'fee', term: L('手数料', 'Fee'), content: [feeText(ctx, kind, proc)] });
  if (requestKindRules[kind].deliveryChoice) {
    const delivery = (proc.delivery ?? ['electronic', 'paper']).map((d) => deliveryNames[d][lang]);
    items.push({ key: 'delivery', term: L('開示の方法', 'How we disclose'), content: [L(`${list(delivery)}のうち、ご本人が指定する方法により開示します。指定された方法による開示に多額の費用を要する場合その他困難な場合は、その旨をお知らせしたうえで書面の交付により開示します。`, `We disclose by the method you choose from: ${delivery.join('; ')}. If your chosen method would be very costly or otherwise difficult, we tell you so and disclose on paper.`)] });
  }
  if (proc.forms.length > 0) items.push({ key: 'forms', term: L('請求書式', 'Forms'), content: proc.forms.flatMap((f, i) => { const sep = i === 0 ? [] : [L('、', ', ')]; return f.url ? [...sep, { href: f.url, text: t(f.name) }] : [...sep, t(f.name)]; }) });
  const days = proc.target_days ?? policy.requests.default_target_days;
  items.push({ key: 'target_days', term: L('回答の時期', 'When we answer'), content: [L(`ご請求を受け付け、ご本人確認が完了した日から原則として${days}日以内に回答します。`, `As a rule, within ${days} days of receiving the request and confirming your identity.`)] });
  if (proc.requester_pays_postage) items.push({ key: 'postage', term: L('郵送料', 'Postage'), content: [L('郵送によるご請求の郵送料は、ご本人のご負担となります。', 'If you apply by post, the postage is yours to bear.')] });
  if (proc.note) items.push({ key: 'note', term: L('補足', 'Note'), content: [t(proc.note)] });
  return items;
}

/** The fee of one request kind: free where 38条 allows none or none is set, else amount, tax, unit and payment. */
function feeText(ctx: RenderContext, kind: RequestKind, proc: RequestProcedure): string {
  const { lang, L, t, list } = ctx;
  const fee = proc.fee;
  if (!fee || !feeAllowed(kind)) return L('手数料はいただきません。', 'Free of charge.');
  const amountJa = `${fee.amount.toLocaleString('ja-JP')}円`;
  const amountEn = `¥${fee.amount.toLocaleString('en-US')}`;
  const taxJa = { included: '（税込）', excluded: '（税別。別途消費税を申し受けます）', not_applicable: '（消費税の課税対象外）' }[fee.tax];
  const taxEn = { included: ' (tax included)', excluded: ' (plus consumption tax)', not_applicable: ' (not subject to consumption tax)' }[fee.tax];
  const unitJa = fee.unit === 'per_item' ? '1件につき' : '1回のご請求につき';
  const unitEn = fee.unit === 'per_item' ? 'per item' : 'per request';
  const pay = fee.payment.map((m) => paymentNames[m][lang]);
  const note = fee.note ? ` ${t(fee.note)}` : '';
  const days = fee.payment_days;
  const deadlineJa = days ? `お支払いのご案内から${days}日以内にお支払いを確認できない場合は、ご請求を取り下げたものとして取り扱います（改めてご請求いただけます。）。` : '';
  const deadlineEn = days ? ` If we cannot confirm payment within ${days} days of asking for it, we treat the request as withdrawn (you may file it again).` : '';
  return L(`${unitJa}${amountJa}${taxJa}を申し受けます。お支払い方法: ${list(pay)}。手数料のお支払いを確認できない場合は、ご請求に応じられないことがあります。${deadlineJa}${note}`, `${amountEn}${taxEn} ${unitEn}. Payment: ${pay.join('; ')}. If we cannot confirm payment of the fee, we may be unable to act on the request.${deadlineEn}${note}`);
}
