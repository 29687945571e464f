/**
 * 43条 and 規則34条: the processing standard for 匿名加工情報, as data. A job's configuration gives each column a role
 * and a transform; `checkAnonymizationConfig` refuses a configuration that breaks the standard before any row is read.
 */

/** What a column is, in terms of 規則34条. */
export type ColumnRole =
  | 'identifier' // 1号: name, email, address lines… (特定の個人を識別できる記述)
  | 'individual_code' // 2号: 個人識別符号 (passport, my number, biometric…)
  | 'linking_code' // 3号: ids linking to other data (user id, order id)
  | 'quasi_identifier' // 4号・5号: attributes that single people out in combination (age, postcode, dates)
  | 'attribute'; // other attributes that may stay (e.g. plan, count)

export const columnRoles: readonly ColumnRole[] = ['identifier', 'individual_code', 'linking_code', 'quasi_identifier', 'attribute'];

export type ColumnTransform =
  | { kind: 'drop' }
  | { kind: 'keep' }
  | { kind: 'bucket'; width: number } // 30 → "30-39"
  | { kind: 'top_code'; max: number; bottom?: number } // 97 → "90+"
  | { kind: 'date_truncate'; to: 'year' | 'month' }
  | { kind: 'prefix'; length: number } // postcode "150-0001" → "150"
  | { kind: 'map'; values: Record<string, string>; otherwise?: string };

export const anonymizationRules = {
  /** Roles that must be deleted entirely (規則34条1-3号). */
  mustDrop: ['identifier', 'individual_code', 'linking_code'] satisfies ColumnRole[],
  /** Smallest k we accept; PPC guidance does not fix k, we refuse anything under 2 and default to 5. */
  minK: 2,
  defaultK: 5,
  articles: {
    identifier: '規則34条1号',
    individual_code: '規則34条2号',
    linking_code: '規則34条3号',
    quasi_identifier: '規則34条4号・5号',
    attribute: '規則34条5号',
  } satisfies Record<ColumnRole, string>,
} as const;

export interface AnonymizationColumn {
  name: string;
  role: ColumnRole;
  transform: ColumnTransform;
  /** What the column holds, for the published item list (43条3項), e.g. { ja: '年代', en: 'Age group' }. */
  label?: { ja: string; en: string };
}

export interface AnonymizationIssue {
  column: string | null;
  code: 'identifier_not_dropped' | 'quasi_identifier_kept_raw' | 'k_too_small' | 'no_columns_left' | 'unknown_role';
  article: string;
  message: string;
}

/** Checks a job configuration against the standard; an empty list means it may run. */
export function checkAnonymizationConfig(config: { k: number; columns: AnonymizationColumn[] }): AnonymizationIssue[] {
  const issues: AnonymizationIssue[] = [];
  if (!Number.isInteger(config.k) || config.k < anonymizationRules.minK) {
    issues.push({ column: null, code: 'k_too_small', article: '規則34条5号', message: `k must be an integer of at least ${anonymizationRules.minK} (got ${config.k})` });
  }
  for (const c of config.columns) {
    const mustDrop = (anonymizationRules.mustDrop as readonly ColumnRole[]).includes(c.role);
    if (mustDrop && c.transform.kind !== 'drop') {
      issues.push({ column: c.name, code: 'identifier_not_dropped', article: anonymizationRules.articles[c.role], message: `column "${c.name}" is a ${c.role} and must be dropped` });
    }
    if (c.role === 'quasi_identifier' && c.transform.kind === 'keep') {
      issues.push({ column: c.name, code: 'quasi_identifier_kept_raw', article: anonymizationRules.articles.quasi_identifier, message: `column "${c.name}" is a quasi-identifier: generalize it (bucket, top_code, date_truncate, prefix, map) or drop it` });
    }
  }
  if (!config.columns.some((c) => c.transform.kind !== 'drop')) {
    issues.push({ column: null, code: 'no_columns_left', article: '43条1項', message: 'every column is dropped: nothing would be produced' });
  }
  return issues;
}

/** Applies one transform to one cell. Empty cells stay empty. */
export function transformCell(value: string, t: ColumnTransform): string | null {
  if (t.kind === 'drop') return null;
  if (value === '') return '';
  switch (t.kind) {
    case 'keep':
      return value;
    case 'bucket': {
      const n = Number(value);
      if (!Number.isFinite(n)) return '*';
      const lo = Math.floor(n / t.width) * t.width;
      return `${lo}-${lo + t.width - 1}`;
    }
    case 'top_code': {
      const n = Number(value);
      if (!Number.isFinite(n)) return '*';
      if (n >= t.max) return `${t.max}+`;
      if (t.bottom !== undefined && n <= t.bottom) return `-${t.bottom}`;
      return String(n);
    }
    case 'date_truncate': {
      const m = /^(\d{4})(?:-(\d{2}))?/.exec(value);
      if (!m) return '*';
      return t.to === 'year' ? (m[1] ?? '*') : `${m[1]}-${m[2] ?? '01'}`;
    }
    case 'prefix':
      return value.slice(0, t.length);
    case 'map':
      return t.values[value] ?? t.otherwise ?? '*';
    default: {
      const never: never = t;
      return never;
    }
  }
}
