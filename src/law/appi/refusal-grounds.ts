import type { RequestKind } from '../../policy/schema.ts';

/**
 * Statutory grounds for refusing a request, in whole or in part, or for acting differently from it. Staff choose one
 * of these when deciding; the written reason (36条) is required on top.
 */
export type RefusalGround =
  | 'harm_to_person_or_third_party' // 33条2項1号
  | 'serious_business_hindrance' // 33条2項2号
  | 'violates_other_law' // 33条2項3号
  | 'purpose_already_clear' // 32条2項1号 (21条4項1号〜3号 or purposes already clear)
  | 'purpose_notice_exception' // 32条2項2号 (21条4項1号〜3号)
  | 'not_untrue' // 34条: the content is not untrue, so no correction duty
  | 'no_violation_found' // 35条: no ground of 35条1項/3項/5項 found after investigation
  | 'alternative_measure' // 35条2項・4項・6項ただし書: costly or difficult, alternative measure taken
  | 'identity_not_confirmed' // 37条: identity or agency could not be confirmed
  | 'no_retained_data'; // 33条3項: no 保有個人データ exists

export interface RefusalGroundRule {
  article: string;
  kinds: readonly RequestKind[];
  /** Whether deciding on this ground means the request is (partly) refused, or handled by another measure. */
  effect: 'refuse' | 'alternative';
  label: { ja: string; en: string };
}

const ALL: readonly RequestKind[] = ['purpose_notice', 'disclosure', 'correction', 'suspension', 'stop_provision'];

export const refusalGrounds: Record<RefusalGround, RefusalGroundRule> = {
  harm_to_person_or_third_party: {
    article: '33条2項1号',
    kinds: ['disclosure'],
    effect: 'refuse',
    label: { ja: '開示することで、ご本人又は第三者の生命・身体・財産その他の権利利益を害するおそれがある場合', en: 'Disclosure could harm the life, body, property or other rights and interests of the person or a third party' },
  },
  serious_business_hindrance: {
    article: '33条2項2号',
    kinds: ['disclosure'],
    effect: 'refuse',
    label: { ja: '開示することで、事業者の業務の適正な実施に著しい支障が生じるおそれがある場合', en: 'Disclosure could seriously hinder the proper conduct of our business' },
  },
  violates_other_law: {
    article: '33条2項3号',
    kinds: ['disclosure'],
    effect: 'refuse',
    label: { ja: '他の法令に違反することとなる場合', en: 'Disclosure would violate another law' },
  },
  purpose_already_clear: {
    article: '32条2項1号',
    kinds: ['purpose_notice'],
    effect: 'refuse',
    label: { ja: '利用目的が本人の知り得る状態にあり、明らかである場合', en: 'The purposes are already clear to the person from what we have published' },
  },
  purpose_notice_exception: {
    article: '32条2項2号（21条4項1号〜3号）',
    kinds: ['purpose_notice'],
    effect: 'refuse',
    label: { ja: '利用目的を通知することにより、本人若しくは第三者又は事業者の権利利益を害するおそれがある場合等', en: 'Notifying the purposes could harm the person, a third party or our legitimate rights, or obstruct a task of the state' },
  },
  not_untrue: {
    article: '34条',
    kinds: ['correction'],
    effect: 'refuse',
    label: { ja: '調査の結果、保有個人データの内容が事実でないとは認められなかった場合', en: 'Our investigation did not find the data to be untrue' },
  },
  no_violation_found: {
    article: '35条',
    kinds: ['suspension', 'stop_provision'],
    effect: 'refuse',
    label: { ja: '調査の結果、法の定める利用停止等又は第三者提供の停止の要件に該当しなかった場合', en: 'Our investigation found none of the conditions the Act sets for suspension, erasure or stopping provision' },
  },
  alternative_measure: {
    article: '35条2項・4項・6項ただし書',
    kinds: ['suspension', 'stop_provision'],
    effect: 'alternative',
    label: { ja: '多額の費用を要する場合その他対応が困難な場合であって、本人の権利利益を保護するため必要な代替措置をとる場合', en: 'Full compliance would be very costly or otherwise difficult, and we take an alternative measure that protects your rights and interests' },
  },
  identity_not_confirmed: {
    article: '37条',
    kinds: ALL,
    effect: 'refuse',
    label: { ja: 'ご本人又は代理人であることを確認できなかった場合', en: 'We could not confirm that the request came from the person or their agent' },
  },
  no_retained_data: {
    article: '33条3項',
    kinds: ALL,
    effect: 'refuse',
    label: { ja: '請求に係る保有個人データが存在しない場合', en: 'We hold no retained personal data about the person' },
  },
};

export const refusalGroundKeys = Object.keys(refusalGrounds) as [RefusalGround, ...RefusalGround[]];

/** The grounds staff may choose for a given kind of request. */
export function groundsFor(kind: RequestKind): RefusalGround[] {
  return refusalGroundKeys.filter((g) => refusalGrounds[g].kinds.includes(kind));
}
