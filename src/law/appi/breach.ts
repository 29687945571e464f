/**
 * 26条 and 規則7条: when a leak (漏えい・滅失・毀損) must be reported to the PPC and the people affected, and by when.
 * Rules are data (`breachRules`) evaluated by small pure functions with explicit dates, so a change of law is a change
 * of data with a test.
 */

/** The four 規則7条 triggers. */
export type BreachTrigger = 'sensitive_data' | 'financial_harm' | 'unauthorized_purpose' | 'over_threshold';
export const breachTriggers: readonly BreachTrigger[] = ['sensitive_data', 'financial_harm', 'unauthorized_purpose', 'over_threshold'];

/** Why a reportable case is nonetheless exempt. */
export type BreachExemption = 'advanced_encryption' | 'pseudonymized_only';

export interface BreachFacts {
  /** When the operator learned of it (起算点 of every deadline). */
  discoveredAt: Date;
  /** When it happened, if known; decides whether the 2024-04-01 skimming rule applies. */
  occurredAt?: Date | null;
  /** People affected (or possibly affected). `null` when not yet known. */
  affectedCount: number | null;
  /** 要配慮個人情報 involved. */
  sensitiveData: boolean;
  /** Data whose misuse risks financial damage (card numbers, banking credentials). */
  financialHarmData: boolean;
  /** Suspected unauthorized purpose: unauthorized access, insider theft, ransomware… */
  unauthorizedPurpose: boolean;
  /** Personal information the operator was about to acquire was taken (web skimming of a form). */
  skimmingOfAcquisition: boolean;
  /** All leaked data was protected by advanced encryption (or similar) and the key did not leak. */
  advancedEncryption: boolean;
  /** Only 仮名加工情報 was involved (41条9項: 26条 does not apply). */
  pseudonymizedOnly?: boolean;
  /**
   * While the count is unknown, staff may rule the 1,000-person threshold out, with the reason (e.g. the table holds
   * 300 rows in all). Without it an unknown count is provisionally reportable.
   */
  thresholdRuledOut?: { reason: string } | null;
}

export const breachRules = {
  /** 規則7条4号: 本人の数が千人を超える: 1,001 people or more. */
  peopleThreshold: 1000,
  /** Since the 2024-04-01 amendment of 規則7条3号, data being acquired (skimming) counts as personal data. */
  skimmingCoveredFrom: '2024-04-01T00:00:00+09:00',
  /** 速報: 速やかに; guidelines: about 3-5 days. We aim for 3 and warn at 5. */
  preliminaryTargetDays: 3,
  preliminaryWarnDays: 5,
  /** 確報: 30 days; 60 days when the unauthorized-purpose trigger applies (規則8条2項). */
  finalDays: 30,
  finalDaysUnauthorizedPurpose: 60,
  /**
   * 26条2項 and 規則10条 ask for notices to the persons 速やかに as the situation allows, with no number of days. mamori
   * reminds staff by the 速報 target; this is a reminder date, not a statutory deadline.
   */
  personNoticeTargetDays: 3,
  articles: {
    sensitive_data: '規則7条1号',
    financial_harm: '規則7条2号',
    unauthorized_purpose: '規則7条3号',
    over_threshold: '規則7条4号',
  } satisfies Record<BreachTrigger, string>,
} as const;

export const breachTriggerLabels: Record<BreachTrigger, { ja: string; en: string }> = {
  sensitive_data: { ja: '要配慮個人情報が含まれる', en: 'Sensitive personal information is involved' },
  financial_harm: { ja: '不正に利用されることにより財産的被害が生じるおそれがある個人データが含まれる', en: 'Data whose misuse could cause financial damage is involved' },
  unauthorized_purpose: { ja: '不正の目的をもって行われたおそれがある', en: 'It may have been done for an unauthorized purpose' },
  over_threshold: { ja: '本人の数が1,000人を超える', en: 'More than 1,000 people are affected' },
};

export const breachExemptionLabels: Record<BreachExemption, { ja: string; en: string }> = {
  advanced_encryption: { ja: '高度な暗号化その他の保護措置が講じられている', en: 'The data was protected by advanced encryption or similar measures' },
  pseudonymized_only: { ja: '仮名加工情報のみであり、報告義務の対象外', en: 'Only pseudonymized information was involved, which is outside the reporting duty' },
};

export interface Reportability {
  reportable: boolean;
  /**
   * Every trigger that applies, each with its article: a report names all of them. A `provisional` trigger is the
   * threshold while the count is unknown: 規則7条 speaks of leaks that may have occurred (おそれ), and the 速報 clock
   * runs from discovery, so the case is treated as reportable until staff rule the threshold out with a reason.
   */
  triggers: Array<{ trigger: BreachTrigger; article: string; provisional?: true }>;
  /** Set when triggers apply but the case is exempt. */
  exemption: BreachExemption | null;
  /** The people count is unknown: the threshold trigger could not be evaluated yet. */
  countUnknown: boolean;
  /** Reportable only because the count is unknown (the threshold trigger is provisional). */
  provisional: boolean;
  /** The reason staff gave for ruling the threshold out while the count is unknown. */
  thresholdRuledOutReason: string | null;
}

/** Whether skimming of data being acquired falls under 規則7条3号 for an incident at this time. */
export function skimmingCovered(at: Date): boolean {
  return at.getTime() >= new Date(breachRules.skimmingCoveredFrom).getTime();
}

/**
 * Decides reportability per trigger.
 * @example assessBreach({ discoveredAt: new Date(), affectedCount: 1001, sensitiveData: false, financialHarmData: false, unauthorizedPurpose: false, skimmingOfAcquisition: false, advancedEncryption: false }).reportable // true
 */
export function assessBreach(facts: BreachFacts): Reportability {
  const triggers: Reportability['triggers'] = [];
  const add = (t: BreachTrigger) => triggers.push({ trigger: t, article: breachRules.articles[t] });
  if (facts.sensitiveData) add('sensitive_data');
  if (facts.financialHarmData) add('financial_harm');
  const skimming = facts.skimmingOfAcquisition && skimmingCovered(facts.occurredAt ?? facts.discoveredAt);
  if (facts.unauthorizedPurpose || skimming) add('unauthorized_purpose');
  if (facts.affectedCount !== null && facts.affectedCount > breachRules.peopleThreshold) add('over_threshold');
  const ruledOut = facts.affectedCount === null && facts.thresholdRuledOut && facts.thresholdRuledOut.reason.trim() !== '' ? facts.thresholdRuledOut.reason.trim() : null;
  if (facts.affectedCount === null && ruledOut === null) triggers.push({ trigger: 'over_threshold', article: breachRules.articles.over_threshold, provisional: true });
  let exemption: BreachExemption | null = null;
  if (triggers.length > 0) {
    if (facts.pseudonymizedOnly) exemption = 'pseudonymized_only';
    // Skimming takes data before it is stored, so encryption at rest cannot protect it.
    else if (facts.advancedEncryption && !skimming) exemption = 'advanced_encryption';
  }
  const reportable = triggers.length > 0 && exemption === null;
  return { reportable, triggers, exemption, countUnknown: facts.affectedCount === null, provisional: reportable && triggers.every((t) => t.provisional), thresholdRuledOutReason: ruledOut };
}

export type BreachReportStage = 'preliminary' | 'final';
/** on_track: before the target; late: past the target but within the warning limit; overdue: past the limit. */
export type DeadlineState = 'on_track' | 'late' | 'overdue' | 'submitted';

export interface BreachDeadline {
  stage: BreachReportStage;
  /** The target: end of this JST calendar day. */
  dueDate: string;
  dueAt: string;
  /** The outer limit (速報: the 5-day warning; 確報: same as due). */
  limitDate: string;
  limitAt: string;
  days: number;
}

const JST_OFFSET_MS = 9 * 60 * 60 * 1000;
const DAY = 24 * 60 * 60 * 1000;

/** The JST calendar date of an instant, as YYYY-MM-DD. */
export function jstDate(at: Date): string {
  return new Date(at.getTime() + JST_OFFSET_MS).toISOString().slice(0, 10);
}

/** End of a JST calendar day (23:59:59.999 JST) as an ISO instant. */
function endOfJstDay(date: string): string {
  return new Date(new Date(`${date}T00:00:00+09:00`).getTime() + DAY - 1).toISOString();
}

function addDays(date: string, days: number): string {
  return new Date(new Date(`${date}T00:00:00Z`).getTime() + days * DAY).toISOString().slice(0, 10);
}

/**
 * Deadlines counted in JST calendar days from the day of discovery (the day itself not counted, as for periods
 * under the Civil Code): discovered 2026-04-01 → 速報 target 2026-04-04, warning 2026-04-06, 確報 2026-05-01.
 */
export function breachDeadlines(discoveredAt: Date, reportability: Pick<Reportability, 'triggers'>): Record<BreachReportStage, BreachDeadline> {
  const day0 = jstDate(discoveredAt);
  const finalDays = reportability.triggers.some((t) => t.trigger === 'unauthorized_purpose') ? breachRules.finalDaysUnauthorizedPurpose : breachRules.finalDays;
  const pre = addDays(day0, breachRules.preliminaryTargetDays);
  const preLimit = addDays(day0, breachRules.preliminaryWarnDays);
  const fin = addDays(day0, finalDays);
  return {
    preliminary: { stage: 'preliminary', dueDate: pre, dueAt: endOfJstDay(pre), limitDate: preLimit, limitAt: endOfJstDay(preLimit), days: breachRules.preliminaryTargetDays },
    final: { stage: 'final', dueDate: fin, dueAt: endOfJstDay(fin), limitDate: fin, limitAt: endOfJstDay(fin), days: finalDays },
  };
}

/** Where a report stands at `now`. */
export function deadlineState(deadline: BreachDeadline, now: Date, submittedAt: Date | null): DeadlineState {
  if (submittedAt) return 'submitted';
  const t = now.getTime();
  if (t <= new Date(deadline.dueAt).getTime()) return 'on_track';
  if (t <= new Date(deadline.limitAt).getTime()) return 'late';
  return 'overdue';
}
