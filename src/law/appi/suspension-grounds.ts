import type { RequestKind } from '../../policy/schema.ts';

/**
 * 35条: when a person may ask that use stop or the data be erased (1項, 5項), or that provision to third parties stop
 * (3項, 5項). The 2022 amendment added the 5項 grounds: the data is no longer needed, a reportable leak (26条1項)
 * involved it, or its handling risks the person's rights or legitimate interests.
 */
export type SuspensionGround =
  | 'beyond_purpose'
  | 'improper_use'
  | 'improper_acquisition'
  | 'unlawful_provision'
  | 'no_longer_needed'
  | 'reportable_leak'
  | 'rights_at_risk';

export interface SuspensionGroundRule {
  article: string;
  kinds: readonly RequestKind[];
  label: { ja: string; en: string };
}

export const suspensionGrounds: Record<SuspensionGround, SuspensionGroundRule> = {
  beyond_purpose: { article: '35条1項・18条', kinds: ['suspension'], label: { ja: 'あらかじめご本人の同意を得ずに、利用目的の達成に必要な範囲を超えて取り扱われているとき', en: 'It is handled beyond what the purposes of use require, without your prior consent' } },
  improper_use: { article: '35条1項・19条', kinds: ['suspension'], label: { ja: '違法又は不当な行為を助長し、又は誘発するおそれがある方法により利用されているとき', en: 'It is used in a way that may encourage or induce unlawful or improper acts' } },
  improper_acquisition: { article: '35条1項・20条', kinds: ['suspension'], label: { ja: '偽りその他不正の手段により取得されたとき、又は必要な同意を得ずに要配慮個人情報が取得されたとき', en: 'It was acquired by deception or other improper means, or sensitive information was acquired without the required consent' } },
  unlawful_provision: { article: '35条3項・27条1項・28条', kinds: ['stop_provision'], label: { ja: 'ご本人の同意を得ずに第三者（外国にある第三者を含みます。）に提供されているとき', en: 'It is provided to a third party (including one in a foreign country) without your consent where the law requires it' } },
  no_longer_needed: { article: '35条5項', kinds: ['suspension', 'stop_provision'], label: { ja: '当該保有個人データを利用する必要がなくなったとき', en: 'We no longer need to use the data' } },
  reportable_leak: { article: '35条5項・26条1項', kinds: ['suspension', 'stop_provision'], label: { ja: '当該保有個人データについて、個人情報保護委員会への報告を要する漏えい等が生じたとき', en: 'A leak or similar event that must be reported to the Commission has occurred with the data' } },
  rights_at_risk: { article: '35条5項', kinds: ['suspension', 'stop_provision'], label: { ja: 'その他、当該保有個人データの取扱いによりご本人の権利又は正当な利益が害されるおそれがあるとき', en: 'Its handling otherwise risks harming your rights or legitimate interests' } },
};

/** The grounds on which a person may make a request of this kind, in statute order; none for other kinds. */
export function suspensionGroundsFor(kind: RequestKind): SuspensionGround[] {
  return (Object.keys(suspensionGrounds) as SuspensionGround[]).filter((g) => suspensionGrounds[g].kinds.includes(kind));
}
