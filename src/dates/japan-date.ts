import { formatDualDate, formatEraDate, formatWesternDate } from '../policy/era-date.ts';

/**
 * Dates that a person or a regulator reads: always the calendar day in Japan (JST, UTC+9, no daylight saving),
 * written the Japanese way. A request decided at 01:35 JST on 1 December is dated 2026年12月1日 everywhere (letter,
 * ZIP, mail, status page), even though the instant is still 30 November in UTC.
 *
 * Every place that shows such a date goes through this module; nothing else slices ISO timestamps for display.
 */
export type DateLang = 'ja' | 'en';

const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

/**
 * The JST calendar day of an instant, YYYY-MM-DD.
 * @example japanDay('2026-11-30T16:35:00Z') // '2026-12-01'
 */
export function japanDay(at: Date | string): string {
  const ms = typeof at === 'string' ? Date.parse(at) : at.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`not a timestamp: ${String(at)}`);
  return new Date(ms + JST_OFFSET_MS).toISOString().slice(0, 10);
}

/** `at` is an instant (Date or ISO timestamp) or already a calendar day (YYYY-MM-DD, taken as is). */
function dayOf(at: Date | string): string {
  return typeof at === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(at) ? at : japanDay(at);
}

/**
 * The day in Japan, for mails, pages and the ZIP.
 * @example formatJapanDate('2026-11-30T16:35:00Z', 'ja') // '2026年12月1日'
 * @example formatJapanDate('2026-11-30T16:35:00Z', 'en') // 'December 1, 2026'
 */
export function formatJapanDate(at: Date | string, lang: DateLang): string {
  return formatWesternDate(dayOf(at), lang);
}

/**
 * The date of a formal letter: both the Western and the era form in Japanese, as the published policy writes its
 * dates (2026年12月1日（令和8年12月1日）); the Western form in English.
 */
export function formatLetterDate(at: Date | string, lang: DateLang): string {
  return lang === 'ja' ? formatDualDate(dayOf(at), 'ja') : formatWesternDate(dayOf(at), 'en');
}

/** The era form alone (令和8年12月1日). */
export function formatJapanEraDate(at: Date | string): string {
  return formatEraDate(dayOf(at));
}

/**
 * Day and time in Japan, for the generated-at line of a package or a timeline.
 * @example formatJapanDateTime('2026-11-30T16:35:39Z', 'ja') // '2026年12月1日 1:35（日本時間）'
 */
export function formatJapanDateTime(at: Date | string, lang: DateLang): string {
  const ms = typeof at === 'string' ? Date.parse(at) : at.getTime();
  const shifted = new Date(ms + JST_OFFSET_MS);
  const hh = shifted.getUTCHours();
  const mm = String(shifted.getUTCMinutes()).padStart(2, '0');
  return lang === 'ja' ? `${formatJapanDate(at, 'ja')} ${hh}:${mm}（日本時間）` : `${formatJapanDate(at, 'en')}, ${String(hh).padStart(2, '0')}:${mm} (Japan time)`;
}

/**
 * The last JST day on which something expiring at `expiresAt` can still be used: an expiry exactly at midnight
 * JST belongs to the day before, so the mail and the page never promise a day the link is already dead.
 */
export function lastJapanDay(expiresAt: Date | string): string {
  const ms = (typeof expiresAt === 'string' ? Date.parse(expiresAt) : expiresAt.getTime()) - 1;
  return japanDay(new Date(ms));
}

/**
 * An instant as ISO 8601 with the Japan offset, for machine-readable files people may still open.
 * @example japanTimestamp('2026-11-30T16:35:39.463Z') // '2026-12-01T01:35:39+09:00'
 */
export function japanTimestamp(at: Date | string): string {
  const ms = typeof at === 'string' ? Date.parse(at) : at.getTime();
  return `${new Date(ms + JST_OFFSET_MS).toISOString().slice(0, 19)}+09:00`;
}
