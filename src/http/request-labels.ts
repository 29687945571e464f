import type { AgentKind, AgentProof, DeliveryMethod, PaymentMethod, Policy, RequestKind } from '../policy/schema.ts';
import { requestKindRules } from '../law/appi/request-kinds.ts';

/** Words shown on the privacy center and console pages for the policy's closed sets (ja/en). */
export type Words = { ja: string; en: string };

export const agentKindLabels: Record<AgentKind, Words> = {
  legal_representative: { ja: '法定代理人（未成年者の親権者、成年後見人など）', en: 'Legal representative (e.g. a parent of a minor, an adult guardian)' },
  mandated: { ja: '任意代理人（ご本人から委任を受けた方）', en: 'Person mandated by the individual' },
};

export const agentProofLabels: Record<AgentProof, Words> = {
  power_of_attorney: { ja: '委任状', en: 'Power of attorney' },
  seal_certificate: { ja: '委任状に押印した印鑑の印鑑登録証明書', en: 'Seal registration certificate for the seal on the power of attorney' },
  family_register: { ja: '戸籍謄本または抄本（親権者の場合）', en: 'Family register extract (for a parent)' },
  guardianship_certificate: { ja: '成年後見の登記事項証明書', en: 'Certificate of registered guardianship' },
  agent_identity_document: { ja: '代理人ご本人の本人確認書類', en: "The agent's own identity document" },
  resident_record: { ja: '住民票の写し', en: 'Copy of the resident record' },
};

export const deliveryLabels: Record<DeliveryMethod, Words> = {
  electronic: { ja: '電磁的記録（このページからダウンロード）', en: 'Electronic file (download from the status page)' },
  paper: { ja: '書面（郵送）', en: 'Paper letter (by post)' },
  other: { ja: 'その他の方法（当社が定める方法）', en: 'Another method we offer' },
};

export const paymentLabels: Record<PaymentMethod, Words> = {
  bank_transfer: { ja: '銀行振込', en: 'Bank transfer' },
  card: { ja: 'クレジットカード', en: 'Credit card' },
  postal_money_order: { ja: '定額小為替', en: 'Postal money order' },
  convenience_store: { ja: 'コンビニ決済', en: 'Convenience store payment' },
  cash_on_site: { ja: '窓口での現金払い', en: 'Cash at our office' },
};

/** What to write in the description, per kind: helps the person identify the data (37条2項). */
export const descriptionHints: Record<RequestKind, Words> = {
  purpose_notice: { ja: 'どの情報について利用目的を知りたいかをお書きください（例: アカウントの登録情報）。', en: 'Which information you want to know the purposes for (e.g. my account details).' },
  disclosure: { ja: '開示を希望する情報の範囲をお書きください（例: 登録情報、投稿、ログイン履歴、第三者提供の記録）。', en: 'What you want disclosed (e.g. account details, posts, sign-in history, records of provision to third parties).' },
  correction: { ja: '訂正・追加・削除を希望する項目と、正しい内容をお書きください。', en: 'Which item is wrong and what it should say (or what to add or delete).' },
  suspension: { ja: '利用の停止または消去を希望する情報と、その理由をお書きください。', en: 'Which information to stop using or erase, and why.' },
  stop_provision: { ja: '第三者への提供の停止を希望する情報と提供先、その理由をお書きください。', en: 'Which information should no longer be provided, to whom, and why.' },
};

export function kindName(kind: RequestKind, lang: 'ja' | 'en'): string {
  return requestKindRules[kind].name[lang];
}

/** Kinds a person can file online: offered by the policy through the privacy center. */
export function onlineKinds(policy: Policy): RequestKind[] {
  return (Object.keys(requestKindRules) as RequestKind[]).filter((k) => {
    const p = policy.requests.kinds[k];
    return p !== undefined && p.offered && p.channels.includes('privacy_center');
  });
}

/** Kinds staff may enter for a contact channel (postal, phone, email, web form). */
export function kindsForChannel(policy: Policy, channel: string): RequestKind[] {
  return (Object.keys(requestKindRules) as RequestKind[]).filter((k) => {
    const p = policy.requests.kinds[k];
    return p !== undefined && p.offered && p.channels.includes(channel);
  });
}
