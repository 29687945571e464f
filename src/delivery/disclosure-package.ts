import { strToU8, zipSync } from 'fflate';
import type { GatheredSection } from '../requests/request-hooks.ts';
import { html, type SafeHtml } from '../html/html.ts';
import { requestKindRules } from '../law/appi/request-kinds.ts';
import type { Policy, RequestKind } from '../policy/schema.ts';
import { localize } from '../policy/load-policy.ts';
import { selfName } from '../policy/render/self-name.ts';
import { formatJapanDate, formatJapanDateTime, japanTimestamp } from '../dates/japan-date.ts';

/**
 * The electronic disclosure package (33条1項 電磁的記録): one ZIP with
 * - `index.html`: everything, readable by a person, in the request's language;
 * - `data.json`: the same data, for machines;
 * - `csv/NN-<source>-<group>.csv`: one CSV per group (UTF-8 with BOM, so spreadsheet software reads Japanese);
 * - `files/…`: documents gathered as files.
 */
export interface PackageInput {
  lang: 'ja' | 'en';
  policy: Policy;
  request: { id: string; kind: RequestKind; decidedAt: string; outcome: string; partialNote: string | null };
  generatedAt: string;
  sections: GatheredSection[];
  files: Array<{ name: string; contentType: string; bytes: Uint8Array }>;
}

/** RFC 4180 CSV of rows; the header is the union of keys in first-seen order; objects are written as JSON. */
export function rowsToCsv(rows: Array<Record<string, unknown>>): string {
  const cols: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!cols.includes(k)) cols.push(k);
  const cell = (v: unknown): string => {
    const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.map(cell).join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n';
}

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40) || 'data';
}

function renderValue(v: unknown): string {
  return v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
}

function sectionHtml(section: GatheredSection, lang: 'ja' | 'en'): SafeHtml {
  return html`<section><h2>${section.title[lang]}</h2>${section.groups.map((g) => {
    const cols: string[] = [];
    for (const r of g.rows) for (const k of Object.keys(r)) if (!cols.includes(k)) cols.push(k);
    // A group named like its section (利用目的 in 利用目的) would only repeat the heading.
    const heading = g.name === section.title[lang] || (section.groups.length === 1 && g.name.toLowerCase() === section.title.en.toLowerCase()) ? '' : html`<h3>${g.name}</h3>`;
    return html`${heading}${g.rows.length === 0
      ? html`<p>${lang === 'ja' ? '該当するデータはありません。' : 'No data.'}</p>`
      : html`<div class="scroll"><table><thead><tr>${cols.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead><tbody>${g.rows.map((r) => html`<tr>${cols.map((c) => html`<td>${renderValue(r[c])}</td>`)}</tr>`)}</tbody></table></div>`}`;
  })}</section>`;
}

/**
 * The readable page of the package. In a paper letter (`inLetter`) it follows the letter's own heading and sender
 * block, so it neither repeats the operator's name nor opens a second top-level heading.
 */
export function packageBodyHtml(input: PackageInput, opts: { inLetter?: boolean } = {}): SafeHtml {
  const { lang, policy, request } = input;
  const ja = lang === 'ja';
  const kind = requestKindRules[request.kind].name[lang];
  const title = ja ? `${kind}の結果` : `Result of your request: ${kind}`;
  return html`<header>${opts.inLetter ? html`<h2>${title}</h2>` : html`<p>${localize(policy.operator.name, lang)}</p><h1>${title}</h1>`}
<dl><dt>${ja ? '受付番号' : 'Request number'}</dt><dd>${request.id}</dd><dt>${ja ? '決定日' : 'Decided on'}</dt><dd>${formatJapanDate(request.decidedAt, lang)}</dd><dt>${ja ? '作成日時' : 'Generated'}</dt><dd>${formatJapanDateTime(input.generatedAt, lang)}</dd></dl>
${request.partialNote ? html`<p><strong>${ja ? '一部を開示しない理由' : 'Why part is not disclosed'}:</strong> ${request.partialNote}</p>` : ''}
<p>${ja ? `${selfName(policy).ja}が保有するあなたの個人データ（保有個人データ）と第三者提供記録を、以下のとおり開示します。同じ内容をJSON形式（data.json）とCSV形式（csvフォルダ）でも収録しています。` : 'Below is the personal data we hold about you (retained personal data) and the records of provision to third parties. The same data is included as JSON (data.json) and CSV (csv folder).'}</p></header>
${input.sections.map((s) => sectionHtml(s, lang))}
${input.files.length > 0 ? html`<section><h2>${ja ? '添付ファイル' : 'Attached files'}</h2><ul>${input.files.map((f) => html`<li>files/${f.name}</li>`)}</ul></section>` : ''}`;
}

const PACKAGE_CSS = 'body{font-family:system-ui,"Hiragino Sans","Noto Sans JP",sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;line-height:1.6}table{border-collapse:collapse}th,td{border:1px solid #999;padding:.25rem .5rem;text-align:left;vertical-align:top}.scroll{overflow-x:auto}dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}';

export function packageIndexHtml(input: PackageInput): string {
  const title = input.lang === 'ja' ? '開示内容' : 'Your disclosure';
  return `<!doctype html><html lang="${input.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title><style>${PACKAGE_CSS}</style></head><body><main>${packageBodyHtml(input).value}</main></body></html>`;
}

/** Builds the ZIP bytes. Deterministic for the same input (fixed mtime), so its hash identifies it. */
export function buildDisclosurePackage(input: PackageInput): Uint8Array {
  const mtime = new Date(input.generatedAt);
  const entries: Record<string, Uint8Array> = {};
  entries['index.html'] = strToU8(packageIndexHtml(input));
  const json = {
    format: 'mamori-disclosure/1',
    request: { ...input.request, decidedAt: japanTimestamp(input.request.decidedAt) },
    operator: localize(input.policy.operator.name, input.lang),
    generated_at: japanTimestamp(input.generatedAt),
    sections: input.sections,
    files: input.files.map((f) => ({ name: `files/${f.name}`, content_type: f.contentType })),
  };
  entries['data.json'] = strToU8(JSON.stringify(json, null, 2));
  let n = 0;
  for (const s of input.sections) {
    for (const g of s.groups) {
      n += 1;
      entries[`csv/${String(n).padStart(2, '0')}-${slug(s.source)}-${slug(g.name)}.csv`] = strToU8(`\uFEFF${rowsToCsv(g.rows)}`);
    }
  }
  const used = new Set<string>();
  for (const f of input.files) {
    let name = f.name;
    for (let i = 2; used.has(name); i++) name = `${i}-${f.name}`;
    used.add(name);
    entries[`files/${name}`] = f.bytes;
  }
  return zipSync(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, [v, { mtime }]])), { level: 6 });
}

