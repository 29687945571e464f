import type { RequestKind } from '../../policy/schema.ts';

/**
 * The requests a person can make under APPI, as data. `feeAllowed` encodes 38条: fees only for 利用目的の通知
 * (32条2項) and 開示 (33条, including provision records under 33条5項).
 */
export interface RequestKindRule {
  article: string;
  name: { ja: string; en: string };
  feeAllowed: boolean;
  /** The person may choose how disclosure is delivered (33条1項). */
  deliveryChoice: boolean;
}

export const requestKindRules: Record<RequestKind, RequestKindRule> = {
  purpose_notice: { article: '32条2項', name: { ja: '利用目的の通知', en: 'Notification of purposes of use' }, feeAllowed: true, deliveryChoice: false },
  disclosure: { article: '33条', name: { ja: '開示（第三者提供記録を含む）', en: 'Disclosure (including third-party provision records)' }, feeAllowed: true, deliveryChoice: true },
  correction: { article: '34条', name: { ja: '訂正・追加・削除', en: 'Correction, addition or deletion' }, feeAllowed: false, deliveryChoice: false },
  suspension: { article: '35条1項・5項', name: { ja: '利用停止・消去', en: 'Suspension of use or erasure' }, feeAllowed: false, deliveryChoice: false },
  stop_provision: { article: '35条3項・5項', name: { ja: '第三者提供の停止', en: 'Stopping provision to third parties' }, feeAllowed: false, deliveryChoice: false },
};

/** 38条: may a fee be charged for this kind of request? */
export function feeAllowed(kind: RequestKind): boolean {
  return requestKindRules[kind].feeAllowed;
}
