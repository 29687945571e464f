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

/**
 * 38条2項: a fee must be reasonable in view of the actual cost (実費を勘案して合理的であると認められる範囲). The law names
 * no amount, so this is mamori's line for a warning, kept as data with its reasoning so it can be argued and changed.
 */
export const feeReasonableness = {
  /** A fee above this, tax included, draws a warning. */
  warnAboveYenTaxIncluded: 10_000,
  /** Used to compare a fee written without tax (税別). */
  consumptionTaxRate: 0.1,
  rationale: {
    ja: '38条2項は実費を勘案して合理的な額とすることを求めるのみで金額を定めていない。事業者が公表している開示手数料は、オンラインで数百円から千円程度、書面の郵送と本人確認書類の確認を伴う場合でも5,500円（税込）程度が多い。1件の開示に1万円を超える実費を説明できる場面は限られるため、これを超える額には根拠の確認を求める。',
    en: 'Article 38(2) asks for an amount reasonable in view of the actual cost and sets no figure. Published disclosure fees are mostly a few hundred to about a thousand yen online, and about ¥5,500 (tax included) where paper delivery and document checks are involved. Actual costs above ¥10,000 for one disclosure are rarely explainable, so a higher amount asks the operator to check its grounds.',
  },
} as const;

/** The fee with consumption tax, rounded down to the yen, for comparison with the reasonableness line. */
export function feeTaxIncluded(amount: number, tax: FeeTax): number {
  return tax === 'excluded' ? Math.floor(amount * (1 + feeReasonableness.consumptionTaxRate)) : amount;
}

/** Whether a fee is above the line where 38条2項 reasonableness needs explaining. */
export function feeNeedsJustification(amount: number, tax: FeeTax): boolean {
  return feeTaxIncluded(amount, tax) > feeReasonableness.warnAboveYenTaxIncluded;
}
