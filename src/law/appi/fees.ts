import type { Policy, RequestKind, PaymentMethod } from '../../policy/schema.ts';
import { requestKindRules } from './request-kinds.ts';

/**
 * 38条: a fee may be charged only for 利用目的の通知 and 開示 (incl. provision records), at a reasonable amount that is
 * published. A fee the policy sets on any other kind is refused here, whatever the file says.
 */
export type FeeTax = 'included' | 'excluded' | 'not_applicable';

export type FeeEvaluation =
  | { status: 'none' }
  | { status: 'charged'; amount: number; tax: FeeTax; unit: 'per_request' | 'per_item'; payment: PaymentMethod[]; wording: { ja: string; en: string } }
  | { status: 'refused_by_law'; article: '38条'; configuredAmount: number };

const taxWording: Record<FeeTax, { ja: string; en: string }> = {
  included: { ja: '（税込）', en: ' (tax included)' },
  excluded: { ja: '（税別）', en: ' (plus consumption tax)' },
  not_applicable: { ja: '（消費税の課税対象外）', en: ' (not subject to consumption tax)' },
};

/** ¥1,500 / 1,500円 style amounts. */
export function formatYen(amount: number, lang: 'ja' | 'en'): string {
  const n = amount.toLocaleString('en-US');
  return lang === 'ja' ? `${n}円` : `¥${n}`;
}

/** How the fee reads to a person, e.g. `1,500円（税込）` / `¥1,500 (tax included)`. */
export function feeWording(amount: number, tax: FeeTax, unit: 'per_request' | 'per_item'): { ja: string; en: string } {
  const per = unit === 'per_item' ? { ja: '（1件につき）', en: ' per item' } : { ja: '', en: ' per request' };
  return { ja: `${formatYen(amount, 'ja')}${taxWording[tax].ja}${per.ja}`, en: `${formatYen(amount, 'en')}${taxWording[tax].en}${per.en}` };
}

/**
 * The fee for a kind of request under a policy.
 * @example evaluateFee(policy, 'disclosure') // { status: 'charged', amount: 1500, wording: { ja: '1,500円（税込）', … } }
 */
export function evaluateFee(policy: Policy, kind: RequestKind): FeeEvaluation {
  const fee = policy.requests.kinds[kind]?.fee;
  if (!fee) return { status: 'none' };
  if (!requestKindRules[kind].feeAllowed) return { status: 'refused_by_law', article: '38条', configuredAmount: fee.amount };
  return { status: 'charged', amount: fee.amount, tax: fee.tax, unit: fee.unit, payment: [...fee.payment], wording: feeWording(fee.amount, fee.tax, fee.unit) };
}
