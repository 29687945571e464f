import { isIP } from 'node:net';
import type { TaxonomyKey } from '../../policy/taxonomy.ts';

/** What `scan` can recognise in a column's values. */
export type ValueKind = 'email' | 'jp_phone' | 'jp_postal_code' | 'my_number' | 'card_number' | 'ip_address' | 'birthdate' | 'jp_person_name';

export const valueKindCategory: Record<ValueKind, TaxonomyKey> = {
  email: 'email',
  jp_phone: 'phone',
  jp_postal_code: 'postal_address',
  my_number: 'my_number',
  card_number: 'payment_card',
  ip_address: 'ip_address',
  birthdate: 'birthdate',
  jp_person_name: 'name',
};

const digitsOnly = (v: string) => v.replace(/[\s-]/g, '');

/** マイナンバー (12 digits): the 12th digit is the check digit of 番号法施行令 8条. */
export function isMyNumber(value: string): boolean {
  const d = digitsOnly(value);
  if (!/^\d{12}$/.test(d)) return false;
  let sum = 0;
  for (let n = 1; n <= 11; n++) {
    const p = Number(d[11 - n]);
    const q = n <= 6 ? n + 1 : n - 5;
    sum += p * q;
  }
  const rem = sum % 11;
  const check = rem <= 1 ? 0 : 11 - rem;
  return check === Number(d[11]);
}

/** A payment card number: 13–19 digits passing the Luhn check. */
export function isCardNumber(value: string): boolean {
  const d = digitsOnly(value);
  if (!/^\d{13,19}$/.test(d) || /^(\d)\1+$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let x = Number(d[d.length - 1 - i]);
    if (i % 2 === 1) {
      x *= 2;
      if (x > 9) x -= 9;
    }
    sum += x;
  }
  return sum % 10 === 0;
}

/** Japanese phone numbers: 0 + 9–10 digits (landline, 050, mobile 070/080/090), or +81 without the 0. */
export function isJpPhone(value: string): boolean {
  const v = value.trim().replace(/[()（）]/g, '');
  if (!/^(\+81[- ]?|0)[\d -]+$/.test(v)) return false;
  const d = digitsOnly(v).replace(/^\+81/, '0');
  return /^0\d{9,10}$/.test(d) && (d.length === 10 || /^0[5789]0/.test(d));
}

export function isJpPostalCode(value: string): boolean {
  return /^〒?\s?\d{3}-\d{4}$/.test(value.trim());
}

export function isEmail(value: string): boolean {
  return /^[^\s@]{1,64}@[^\s@]+\.[A-Za-z]{2,}$/.test(value.trim());
}

/** A date (no time of day) between 1900 and 2020: more likely a birthdate than a record time. */
export function isBirthdateLike(value: string): boolean {
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(value.trim());
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  return y >= 1900 && y <= 2020 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31;
}

const kanjiKana = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}ー々';
const nameWithSpace = new RegExp(`^[${kanjiKana}]{1,6}[ 　][${kanjiKana}]{1,8}$`, 'u');
const katakanaReading = /^[ァ-ヶー]{1,10}[ 　][ァ-ヶー]{1,10}$/u;
/** A person's name written in kanji/kana: family and given name separated by a space (full- or half-width). */
export function isJpPersonName(value: string): boolean {
  const v = value.trim();
  return nameWithSpace.test(v) || katakanaReading.test(v);
}

const valueTests: Record<ValueKind, (v: string) => boolean> = {
  email: isEmail,
  jp_phone: isJpPhone,
  jp_postal_code: isJpPostalCode,
  my_number: isMyNumber,
  card_number: isCardNumber,
  ip_address: (v) => isIP(v.trim()) !== 0,
  birthdate: isBirthdateLike,
  jp_person_name: isJpPersonName,
};
// More specific tests first: a My Number is also 12 digits a card test could see.
const valueOrder: ValueKind[] = ['email', 'my_number', 'card_number', 'ip_address', 'jp_postal_code', 'jp_phone', 'birthdate', 'jp_person_name'];

/** The kind most of the samples match (≥ 60% of non-empty samples, at least 2), with how many matched. */
export function classifyValues(samples: readonly string[]): { kind: ValueKind; matched: number; sampled: number } | undefined {
  const values = samples.map((s) => s.trim()).filter((s) => s.length > 0);
  if (values.length < 2) return undefined;
  for (const kind of valueOrder) {
    const matched = values.filter(valueTests[kind]).length;
    if (matched >= 2 && matched / values.length >= 0.6) return { kind, matched, sampled: values.length };
  }
  return undefined;
}

const nameRules: Array<[RegExp, TaxonomyKey]> = [
  [/(^|_)(e_?mail|mail_?address)($|_)|email/i, 'email'],
  [/my_?number|kojin_?bango|individual_?number/i, 'my_number'],
  [/card_?(no|num|number)|^pan$|cc_?number/i, 'payment_card'],
  [/pass(word|wd)|_pass$|^pass$|(^|_)(api_?)?token(s|_hash)?$|secret|totp|(^|_)otp($|_)|private_?key|session_?(id|key|token)?$|activation_?key/i, 'credentials'],
  [/phone|(^|_)tel($|_)|mobile|keitai|denwa/i, 'phone'],
  [/zip|postal|post_?code|yubin/i, 'postal_address'],
  [/address|(^|_)addr($|_)|prefecture|(^|_)city($|_)|street|jusho/i, 'postal_address'],
  [/birth|(^|_)dob($|_)/i, 'birthdate'],
  [/(^|_)ip($|_)|ip_?addr|remote_?addr/i, 'ip_address'],
  [/user_?name|screen_?name|nick|display_?name|handle/i, 'display_name'],
  // A bare `name` is a thing's name far more often than a person's (a file, a room, a tag): only values say otherwise.
  [/(^|_)(full|first|last|family|given|real|legal)_?name(_?kana)?$|kana|furigana|shimei|simei/i, 'name'],
  [/gender|(^|_)sex($|_)/i, 'gender'],
  [/(^|_)(lat|lng|lon|latitude|longitude|geo)($|_)|location/i, 'location'],
  [/user_?agent|device/i, 'device_info'],
  [/cookie|visitor_?id|tracking_?id/i, 'cookie_id'],
];

/** A category suggested by the column's name alone. */
export function categoryFromName(column: string): TaxonomyKey | undefined {
  const snake = column.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  for (const [re, cat] of nameRules) if (re.test(snake)) return cat;
  return undefined;
}

/**
 * Columns holding secrets: password hashes, 2FA/TOTP secrets, private keys, tokens, session ids. They are erased with
 * the person's rows but never disclosed (`disclose: false`), because exporting them hands out a working credential.
 */
export function isSecretColumn(column: string): boolean {
  const snake = column.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  if (/public_?key|token_?(type|count|expires?|ts|at)$|_ts$|_at$|expir|valid_until|session_?(count|name)$/.test(snake)) return false;
  return /pass(word|wd)|(^|_)pass$|user_pass|secret|totp|(^|_)otp($|_)|2fa|private_?key|(^|_)(access_|refresh_|login_|api_|auth_|bearer_|remember_|reset_)?tokens?($|_|_hash)|session_?(id|key|token|tokens)?$|activation_?key|(^|_)(api_?key|pushkey|salt)$|keys?_json$|key_json|(^|_)key_data$/.test(snake);
}

/** Values that are secrets whatever the column is called: crypt-style password hashes and PEM private keys. */
export function looksLikeSecretValues(samples: readonly string[]): boolean {
  const values = samples.filter((s) => s.length > 0);
  if (values.length === 0) return false;
  const secret = values.filter((v) => /^\$(2[aby]?|argon2(id|i|d)?|pbkdf2[-_a-z0-9]*|scrypt|[156]|P|H|wp)\$/.test(v) || /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(v)).length;
  return secret / values.length >= 0.6;
}
