/**
 * 29条・30条 and 規則19-25条: which third-party provisions need a record, in which form, and how long the record
 * is kept. Data plus pure functions with explicit dates.
 */

/** The legal basis of a provision (or receipt). */
export type ProvisionBasis =
  | 'consent'
  | 'opt_out'
  | 'statutory_exception' // 27条1項各号
  | 'entrustment' // 27条5項1号 委託
  | 'succession' // 27条5項2号 事業承継
  | 'joint_use' // 27条5項3号 共同利用
  | 'anonymized'; // 匿名加工情報 (43条6項・44条): not personal data, no 29条 record but a 43条 notice

export const provisionBases: readonly ProvisionBasis[] = ['consent', 'opt_out', 'statutory_exception', 'entrustment', 'succession', 'joint_use', 'anonymized'];

/** single: one record per provision; batch: one record for continuous/repeated provision; contract_substitute: a contract stands in. */
export type RecordForm = 'single' | 'batch' | 'contract_substitute';
export const recordForms: readonly RecordForm[] = ['single', 'batch', 'contract_substitute'];

export const provisionBasisLabels: Record<ProvisionBasis, { ja: string; en: string; article: string }> = {
  consent: { ja: '本人の同意', en: 'Consent of the person', article: '27条1項' },
  opt_out: { ja: 'オプトアウトによる提供', en: 'Opt-out provision', article: '27条2項' },
  statutory_exception: { ja: '法令上の例外', en: 'Statutory exception', article: '27条1項各号' },
  entrustment: { ja: '委託', en: 'Outsourcing', article: '27条5項1号' },
  succession: { ja: '事業の承継', en: 'Business succession', article: '27条5項2号' },
  joint_use: { ja: '共同利用', en: 'Joint use', article: '27条5項3号' },
  anonymized: { ja: '匿名加工情報の提供', en: 'Provision of anonymized information', article: '44条' },
};

export const retentionRules = {
  /** 規則21条1号: contract-substitute records: 1 year from the last provision. */
  contract_substitute: 1,
  /** 規則21条2号: batch records: 3 years from the last provision. */
  batch: 3,
  /** 規則21条3号: every other record: 3 years. */
  single: 3,
} as const satisfies Record<RecordForm, number>;

export type RecordRequirement =
  | { required: true }
  | { required: false; reason: 'statutory_exception' | 'not_third_party' | 'national_body' | 'anonymized' };

/**
 * Whether a provision needs a 29条 record (the same rules apply to 30条 receipts).
 * Not for 27条1項 exceptions, not for 27条5項 cases (委託・事業承継・共同利用) except when the recipient is abroad
 * (28条: only the 27条1項 exemption applies), and not when the recipient is a national or local government body.
 */
export function recordRequirement(input: { basis: ProvisionBasis; foreignRecipient: boolean; recipientIsPublicBody: boolean }): RecordRequirement {
  if (input.recipientIsPublicBody) return { required: false, reason: 'national_body' };
  switch (input.basis) {
    case 'consent':
    case 'opt_out':
      return { required: true };
    case 'statutory_exception':
      return { required: false, reason: 'statutory_exception' };
    case 'entrustment':
    case 'succession':
    case 'joint_use':
      return input.foreignRecipient ? { required: true } : { required: false, reason: 'not_third_party' };
    case 'anonymized':
      return { required: false, reason: 'anonymized' };
    default: {
      const never: never = input.basis;
      return never;
    }
  }
}

/** 規則20条1項但書: a batch record is not allowed for opt-out provision. A contract substitute is not either. */
export function recordFormAllowed(form: RecordForm, basis: ProvisionBasis): boolean {
  if (basis === 'opt_out') return form === 'single';
  return true;
}

/** YYYY-MM-DD until which the record must be kept (inclusive): N years after the last provision date. */
export function retainUntil(form: RecordForm, lastProvisionDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(lastProvisionDate);
  if (!m) throw new Error(`invalid date: ${lastProvisionDate}`);
  const years = retentionRules[form];
  const y = Number(m[1]) + years;
  const mo = m[2] ?? '01';
  let d = m[3] ?? '01';
  // 29 February + N years falls on 28 February in a common year.
  if (mo === '02' && d === '29' && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) d = '28';
  return `${y}-${mo}-${d}`;
}

/** Whether a record may be purged on `today` (YYYY-MM-DD): only after its retention date has passed. */
export function retentionExpired(retainUntilDate: string, today: string): boolean {
  return today > retainUntilDate;
}
