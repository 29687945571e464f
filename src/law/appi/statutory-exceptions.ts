/** 27条1項 (and 18条3項): cases where personal data may be provided or used without consent. */
export type StatutoryException = 'law' | 'life_body_property' | 'public_health_children' | 'state_cooperation' | 'academic';

export const statutoryExceptions: Record<StatutoryException, { article: string; label: { ja: string; en: string } }> = {
  law: { article: '27条1項1号', label: { ja: '法令に基づく場合', en: 'When required or permitted by law' } },
  life_body_property: {
    article: '27条1項2号',
    label: { ja: '人の生命、身体又は財産の保護のために必要がある場合であって、本人の同意を得ることが困難であるとき', en: 'When needed to protect a person\'s life, body or property and it is difficult to obtain the person\'s consent' },
  },
  public_health_children: {
    article: '27条1項3号',
    label: { ja: '公衆衛生の向上又は児童の健全な育成の推進のために特に必要がある場合であって、本人の同意を得ることが困難であるとき', en: 'When especially needed to improve public health or promote the sound growth of children and it is difficult to obtain consent' },
  },
  state_cooperation: {
    article: '27条1項4号',
    label: { ja: '国の機関・地方公共団体（これらから委託を受けた者を含みます。）が法令に定める事務を行うことに協力する必要があり、本人の同意を得るとその事務の遂行に支障が生じるおそれがあるとき', en: 'When we must cooperate with a national or local government body (or its contractor) carrying out duties set by law, and asking for consent could obstruct those duties' },
  },
  academic: {
    article: '27条1項5号〜7号',
    label: { ja: '学術研究機関等が学術研究目的で取り扱う必要がある場合（個人の権利利益を不当に侵害するおそれがある場合を除く）', en: 'When an academic research institution needs the data for academic research (unless this would unjustly harm the person\'s rights and interests)' },
  },
};
