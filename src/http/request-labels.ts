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

/*
 * The console's words for every internal value it shows (ja/en). A page prints a label from here, never the value:
 * test/web/console-visible-text.test.ts renders every console page in both languages and fails on a snake_case token.
 */

/** Timeline entries, by the action recorded. */
export const timelineActionLabels: Record<string, Words> = {
  filed: { ja: '受付（ウェブ）', en: 'Filed online' },
  entered: { ja: '受付（スタッフ登録）', en: 'Entered by staff' },
  code_resent: { ja: '確認コード再送', en: 'Code sent again' },
  code_rejected: { ja: '確認コードの誤り', en: 'Wrong code entered' },
  email_verified: { ja: 'メールアドレス確認', en: 'Email confirmed' },
  state_changed: { ja: '状態の変更', en: 'State changed' },
  identity_confirmed: { ja: '本人確認完了', en: 'Identity confirmed' },
  claim_confirmed: { ja: '申告された識別子を書類で確認', en: 'Claimed identifier confirmed from documents' },
  identity_resolved: { ja: '識別子をシステムで照合', en: 'Identifiers checked against the systems' },
  documents_requested: { ja: '書類の提出依頼', en: 'Documents requested' },
  documents_attached: { ja: '書類の添付（スタッフ）', en: 'Documents attached by staff' },
  documents_received: { ja: '書類の受領（請求者から）', en: 'Documents received from the requester' },
  fee_paid: { ja: '手数料の入金', en: 'Fee paid' },
  data_gathered: { ja: 'データの手入力', en: 'Data entered by hand' },
  file_gathered: { ja: 'ファイルの収集', en: 'File gathered' },
  systems_gathered: { ja: '連携システムからの収集', en: 'Gathered from systems' },
  decided: { ja: '決定', en: 'Decided' },
  delivered: { ja: 'お届け', en: 'Delivered' },
  package_downloaded: { ja: 'ダウンロード（請求者）', en: 'Downloaded by the requester' },
  closed: { ja: '完了', en: 'Closed' },
  withdrawn: { ja: '取り下げ', en: 'Withdrawn' },
  rejected_unverified: { ja: '本人確認ができず終了', en: 'Ended: identity not confirmed' },
  viewed: { ja: '閲覧（スタッフ）', en: 'Viewed by staff' },
  file_viewed: { ja: '添付ファイルの閲覧', en: 'File opened' },
  letter_viewed: { ja: '書面の表示', en: 'Letter opened' },
  payment_letter_issued: { ja: '手数料のご案内（書面）の発行', en: 'Fee letter issued' },
  gathered_viewed: { ja: '収集データの閲覧（スタッフ）', en: 'Gathered data viewed by staff' },
  hook_failed: { ja: '連携処理の失敗', en: 'Integration failed' },
  assigned: { ja: '担当者の変更', en: 'Assignee changed' },
  note_added: { ja: '内部メモ', en: 'Internal note' },
  payment_lapsed: { ja: 'お支払い期限の経過により終了', en: 'Lapsed: the fee was not paid in time' },
};

/** Where gathered data came from (`connector:<dataset>` names the dataset after the colon). */
export function gatheredSourceLabel(source: string, lang: 'ja' | 'en'): string {
  const fixed: Record<string, Words> = {
    manual: { ja: '手入力', en: 'Entered by hand' },
    consent: { ja: '同意の記録', en: 'Consent records' },
    provision_records: { ja: '第三者提供の記録', en: 'Provision records' },
    'policy:purposes': { ja: '利用目的（ポリシー）', en: 'Purposes (policy)' },
  };
  const known = fixed[source];
  if (known) return known[lang];
  if (source.startsWith('connector:')) return `${lang === 'ja' ? '連携システム' : 'Connected system'}「${source.slice('connector:'.length)}」`;
  return lang === 'ja' ? 'その他' : 'Other';
}

export const packageFormatLabels: Record<string, Words> = {
  zip: { ja: '電子データ（ZIP）', en: 'Electronic package (ZIP)' },
  letter: { ja: '書面', en: 'Letter' },
};

export const outcomeLabels: Record<'full' | 'partial' | 'refused' | 'alternative', Words> = {
  full: { ja: '全部対応', en: 'Full' },
  partial: { ja: '一部対応', en: 'Partial' },
  refused: { ja: '不対応（拒否）', en: 'Refused' },
  alternative: { ja: '代替措置', en: 'Alternative measure' },
};

export const verifiedViaLabels: Record<string, Words> = {
  email_code: { ja: 'メールの確認コード', en: 'Email code' },
  app_assertion: { ja: 'サービスのログイン情報（署名付き）', en: 'Signed sign-in from the service' },
  staff: { ja: 'スタッフによる確認', en: 'Checked by staff' },
};

export const claimCheckLabels: Record<string, Words> = {
  matches: { ja: '一致', en: 'Matches' },
  mismatch: { ja: '不一致', en: 'Does not match' },
  not_found: { ja: '該当なし', en: 'Not found' },
  unchecked: { ja: '未照合', en: 'Not checked' },
};

export const filePurposeLabels: Record<string, Words> = {
  request_form: { ja: '請求書', en: 'Request form' },
  identity_document: { ja: '本人確認書類', en: 'Identity document' },
  agent_proof: { ja: '代理権の証明書類', en: 'Agent proof' },
  gathered: { ja: '収集データ', en: 'Gathered file' },
  other: { ja: 'その他', en: 'Other' },
};

/** Names of the details a timeline entry carries. Keys not listed here (internal ids) are not shown. */
export const timelineDetailLabels: Record<string, Words> = {
  kind: { ja: '種類', en: 'Kind' },
  channel_kind: { ja: '受付経路', en: 'Channel' },
  delivery: { ja: '開示の方法', en: 'Delivery' },
  agent: { ja: '代理人', en: 'Agent' },
  files: { ja: 'ファイル', en: 'Files' },
  fee: { ja: '手数料', en: 'Fee' },
  from: { ja: '変更前', en: 'From' },
  to: { ja: '変更後', en: 'To' },
  outcome: { ja: '結果', en: 'Outcome' },
  corrections: { ja: '訂正項目', en: 'Corrections' },
  method_change: { ja: '方法の変更', en: 'Method changed to' },
  format: { ja: '形式', en: 'Format' },
  sections: { ja: '区分', en: 'Sections' },
  rows: { ja: '行数', en: 'Rows' },
  groups: { ja: 'グループ', en: 'Groups' },
  source: { ja: '収集元', en: 'Source' },
  sources: { ja: '収集元', en: 'Sources' },
  amount: { ja: '金額', en: 'Amount' },
  method: { ja: '支払方法', en: 'Method' },
  reference: { ja: '照合番号', en: 'Reference' },
  via: { ja: '確認方法', en: 'Confirmed by' },
  check: { ja: '照合結果', en: 'Check' },
  attempt: { ja: '試行回数', en: 'Attempt' },
  expires_at: { ja: '有効期限', en: 'Expires' },
  due_at: { ja: 'お支払い期限', en: 'Pay by' },
  note: { ja: 'メモ', en: 'Note' },
  what: { ja: '依頼内容', en: 'What was asked' },
  reason: { ja: '理由', en: 'Reason' },
  assignee: { ja: '担当者', en: 'Assignee' },
  alternative: { ja: '代替措置', en: 'Alternative measure' },
};

/** Records console: the form of a provision record (29条 規則19条) and the state of a breach report's deadline. */
export const recordFormLabels: Record<'single' | 'batch' | 'contract_substitute', Words> = {
  single: { ja: '個別', en: 'Single provision' },
  batch: { ja: '一括（継続的・反復的な提供）', en: 'Batch (continuous or repeated)' },
  contract_substitute: { ja: '契約書等による代替', en: 'Contract in place of a record' },
};

export const breachDeadlineLabels: Record<'on_track' | 'late' | 'overdue' | 'submitted', Words> = {
  on_track: { ja: '期限内', en: 'On track' },
  late: { ja: '目安超過（要対応）', en: 'Past the guideline (act now)' },
  overdue: { ja: '期限超過', en: 'Overdue' },
  submitted: { ja: '提出済み', en: 'Submitted' },
};

/**
 * An APPI article as staff read it: the law's own citation in Japanese (33条2項1号), the usual English form on an
 * English page (Art. 33(2)(1)); several citations joined by ・ or a range 〜 are converted one by one.
 */
export function articleName(article: string, lang: 'ja' | 'en'): string {
  if (lang === 'ja') return article;
  const one = (s: string) => s.replace(/(\d+)条(?:(\d+)項)?(?:(\d+)号)?/g, (_m, a: string, p?: string, i?: string) => `Art. ${a}${p ? `(${p})` : ''}${i ? `(${i})` : ''}`);
  return one(article).replace(/・(\d+)項/g, ', ($1)').replace(/(\d+)項/g, '($1)').replace(/(\d+)号/g, '($1)').replace(/〜/g, '–').replace(/ただし書/g, ' proviso').replace(/各号/g, ' (any item)').replace(/（/g, ' (').replace(/）/g, ')');
}

/** Records console: an opt-out filing's progress with the PPC (27条2項). */
export const filingStatusLabels: Record<'draft' | 'filed' | 'published' | 'withdrawn', Words> = {
  draft: { ja: '下書き', en: 'Draft' },
  filed: { ja: '届出済み', en: 'Filed' },
  published: { ja: '委員会が公表', en: 'Published by the PPC' },
  withdrawn: { ja: '提供終了', en: 'Provision ended' },
};
