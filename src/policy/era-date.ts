/**
 * Calendar dates for the published policy, in Western form and in the Japanese era form (和暦).
 * Japanese policies conventionally show both in the revision history, e.g. 2019年5月1日（令和元年5月1日）.
 * Dates are calendar dates (YYYY-MM-DD) without a time zone: no Date arithmetic in local time.
 */

export type EraName = '令和' | '平成' | '昭和';

interface EraStart {
  name: EraName;
  romaji: string;
  /** First day of the era, YYYY-MM-DD. */
  start: string;
}

/** Newest first. Dates before 昭和 (1926-12-25) are outside what a privacy policy needs. */
const eras: readonly EraStart[] = [
  { name: '令和', romaji: 'Reiwa', start: '2019-05-01' },
  { name: '平成', romaji: 'Heisei', start: '1989-01-08' },
  { name: '昭和', romaji: 'Showa', start: '1926-12-25' },
];

const EN_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/** Parses YYYY-MM-DD (also the date part of an ISO timestamp) and checks that the day exists. */
export function parseCalendarDate(iso: string): CalendarDate {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${iso}`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new RangeError(`this date does not exist: ${iso}`);
  }
  return { year, month, day };
}

/** The era and the year within it, or undefined before 昭和. */
export function eraOf(iso: string): { era: EraName; romaji: string; year: number } | undefined {
  const { year } = parseCalendarDate(iso);
  const day = iso.slice(0, 10);
  for (const era of eras) {
    if (day >= era.start) return { era: era.name, romaji: era.romaji, year: year - Number(era.start.slice(0, 4)) + 1 };
  }
  return undefined;
}

/**
 * The Japanese era date; the first year of an era is 元年.
 * @example formatEraDate('2019-05-01') // '令和元年5月1日'
 * @example formatEraDate('2019-04-30') // '平成31年4月30日'
 */
export function formatEraDate(iso: string): string {
  const { month, day } = parseCalendarDate(iso);
  const era = eraOf(iso);
  if (!era) return formatWesternDate(iso, 'ja');
  return `${era.era}${era.year === 1 ? '元' : String(era.year)}年${month}月${day}日`;
}

/**
 * @example formatWesternDate('2024-10-01', 'ja') // '2024年10月1日'
 * @example formatWesternDate('2024-10-01', 'en') // 'October 1, 2024'
 */
export function formatWesternDate(iso: string, lang: 'ja' | 'en'): string {
  const { year, month, day } = parseCalendarDate(iso);
  return lang === 'ja' ? `${year}年${month}月${day}日` : `${EN_MONTHS[month - 1]} ${day}, ${year}`;
}

/**
 * Both forms, as the revision history shows them.
 * @example formatDualDate('2019-05-01', 'ja') // '2019年5月1日（令和元年5月1日）'
 * @example formatDualDate('2019-05-01', 'en') // 'May 1, 2019 (Reiwa 1)'
 */
export function formatDualDate(iso: string, lang: 'ja' | 'en'): string {
  const era = eraOf(iso);
  if (!era) return formatWesternDate(iso, lang);
  return lang === 'ja' ? `${formatWesternDate(iso, 'ja')}（${formatEraDate(iso)}）` : `${formatWesternDate(iso, 'en')} (${era.romaji} ${era.year})`;
}
