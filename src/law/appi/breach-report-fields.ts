/**
 * 規則8条1項: the items of a leak report to the PPC, as data. The same list drives the report draft form, the
 * printable document and the completeness check. A 速報 may leave items the operator does not know yet; a 確報 may not.
 */
export type BreachReportField =
  | 'summary'
  | 'data_items'
  | 'affected_count'
  | 'cause'
  | 'secondary_harm'
  | 'response_to_people'
  | 'publication'
  | 'prevention'
  | 'other';

export interface BreachReportFieldRule {
  item: string;
  label: { ja: string; en: string };
  /** Must be filled in the final report; `other` may stay empty. */
  requiredInFinal: boolean;
  /** Also goes into the notice to individuals (26条2項, 規則10条). */
  inIndividualNotice: boolean;
}

export const breachReportFields: Record<BreachReportField, BreachReportFieldRule> = {
  summary: { item: '規則8条1項1号', label: { ja: '概要', en: 'Summary' }, requiredInFinal: true, inIndividualNotice: true },
  data_items: { item: '規則8条1項2号', label: { ja: '漏えい等が発生し、又は発生したおそれがある個人データの項目', en: 'Items of personal data leaked (or possibly leaked)' }, requiredInFinal: true, inIndividualNotice: true },
  affected_count: { item: '規則8条1項3号', label: { ja: '漏えい等が発生し、又は発生したおそれがある個人データに係る本人の数', en: 'Number of people concerned' }, requiredInFinal: true, inIndividualNotice: false },
  cause: { item: '規則8条1項4号', label: { ja: '原因', en: 'Cause' }, requiredInFinal: true, inIndividualNotice: true },
  secondary_harm: { item: '規則8条1項5号', label: { ja: '二次被害又はそのおそれの有無及びその内容', en: 'Secondary harm (or risk of it) and what it is' }, requiredInFinal: true, inIndividualNotice: true },
  response_to_people: { item: '規則8条1項6号', label: { ja: '本人への対応の実施状況', en: 'Status of response to the people concerned' }, requiredInFinal: true, inIndividualNotice: false },
  publication: { item: '規則8条1項7号', label: { ja: '公表の実施状況', en: 'Status of public announcement' }, requiredInFinal: true, inIndividualNotice: false },
  prevention: { item: '規則8条1項8号', label: { ja: '再発防止のための措置', en: 'Measures to prevent recurrence' }, requiredInFinal: true, inIndividualNotice: false },
  other: { item: '規則8条1項9号', label: { ja: 'その他参考となる事項', en: 'Other relevant matters' }, requiredInFinal: false, inIndividualNotice: true },
};

export const breachReportFieldOrder: readonly BreachReportField[] = ['summary', 'data_items', 'affected_count', 'cause', 'secondary_harm', 'response_to_people', 'publication', 'prevention', 'other'];

/** Fields still empty that the given stage requires (a 速報 requires only the summary). */
export function missingReportFields(values: Partial<Record<BreachReportField, string>>, stage: 'preliminary' | 'final'): BreachReportField[] {
  return breachReportFieldOrder.filter((f) => {
    const filled = (values[f] ?? '').trim().length > 0;
    if (filled) return false;
    return stage === 'final' ? breachReportFields[f].requiredInFinal : f === 'summary';
  });
}
