import type { FastifyRequest } from 'fastify';
import { requestStateInfo } from '../requests/request-state.ts';
import { type StaffGatheredView } from '../requests/request-service.ts';
import { cleanFilename } from '../requests/request-uploads.ts';
import { html, type SafeHtml } from '../html/html.ts';
import type { Lang } from '../html/layout.ts';
import { consoleLang } from './staff-auth.ts';
import { gatheredSourceLabel, kindName } from './request-labels.ts';
import { t, formatTime } from './console-page-parts.ts';
import { actorLabel } from './console-request-page.ts';

/** The data gathered for a disclosure, as staff review it before delivery. */
/** At most this many rows of one group are shown; the rest is counted, not rendered (the package holds them all). */
export const GATHERED_ROW_CAP = 200;
/** At most this many columns of one group are shown. */
export const GATHERED_COLUMN_CAP = 40;
/** A longer cell value is cut, with a mark. */
export const GATHERED_CELL_CAP = 2000;

/** One value as text: strings as they are, everything else as JSON. Always escaped by `html` where it is used. */
function cellText(value: unknown, lang: Lang): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > GATHERED_CELL_CAP ? `${text.slice(0, GATHERED_CELL_CAP)}${t(lang, '…（以下省略）', '… (cut)')}` : text;
}

function groupTable(lang: Lang, sectionIndex: number, groupIndex: number, group: StaffGatheredView['sections'][number]['groups'][number]): SafeHtml {
  const shown = group.rows.slice(0, GATHERED_ROW_CAP);
  const columns: string[] = [];
  for (const row of shown) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  const shownColumns = columns.slice(0, GATHERED_COLUMN_CAP);
  const headingId = `g-${sectionIndex}-${groupIndex}`;
  const caps: string[] = [];
  if (group.rows.length > shown.length) caps.push(t(lang, `全${group.rows.length}行のうち先頭の${shown.length}行のみ表示しています。すべての行は開示データに含まれます。`, `Showing the first ${shown.length} of ${group.rows.length} rows. Every row is in the disclosure package.`));
  if (columns.length > shownColumns.length) caps.push(t(lang, `全${columns.length}項目のうち先頭の${shownColumns.length}項目のみ表示しています。`, `Showing the first ${shownColumns.length} of ${columns.length} columns.`));
  return html`<h4 id="${headingId}">${group.name} <span class="muted">(${t(lang, `${group.rows.length}行`, `${group.rows.length} rows`)})</span></h4>
${caps.map((c) => html`<p class="notice" role="note">${c}</p>`)}
${group.rows.length === 0
  ? html`<p class="muted">${t(lang, '行はありません。', 'No rows.')}</p>`
  : html`<div style="overflow-x:auto"><table aria-labelledby="${headingId}"><thead><tr><th scope="col">#</th>${shownColumns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
<tbody>${shown.map((row, i) => html`<tr><td>${i + 1}</td>${shownColumns.map((c) => html`<td style="white-space:pre-wrap;word-break:break-word">${cellText(row[c], lang)}</td>`)}</tr>`)}</tbody></table></div>`}`;
}

/** What was gathered for a request, as escaped tables, for review before the decision (33条2項). */
export function gatheredBody(request: FastifyRequest, v: StaffGatheredView, staffNames: ReadonlyMap<string, string> = new Map()): SafeHtml {
  const lang = consoleLang(request);
  const base = `/console/requests/${v.id}`;
  const totalRows = v.sections.reduce((n, s) => n + s.groups.reduce((m, g) => m + g.rows.length, 0), 0);
  return html`<h1>${t(lang, '収集したデータ', 'Gathered data')} <small class="muted">${v.id}</small></h1>
<p><a href="${base}">${t(lang, '← 請求に戻る', '← Back to the request')}</a> · ${kindName(v.kind, lang)} · ${requestStateInfo[v.state].label[lang]}</p>
<p class="muted">${t(lang, 'この画面の表示は、閲覧記録として請求の履歴と監査ログに残ります（記録されるのは件数のみで、データの内容は記録されません）。', 'Opening this page is recorded in the request timeline and the audit log (counts only, never the data).')}</p>
<p>${t(lang, '開示の決定の前に、開示する内容を確認してください。本人または第三者の権利利益を害するおそれがある場合など、33条2項各号に当たる部分があれば「一部対応」とし、根拠と理由を記録します。', 'Review what would be disclosed before deciding. Where part of it falls under a ground of art. 33(2) (for example, harm to the person or a third party), decide "partial" and record the ground and the reason.')}</p>
<p>${t(lang, `${v.sections.length}件の収集結果、合計${totalRows}行`, `${v.sections.length} section(s), ${totalRows} row(s) in all`)}</p>
${v.sections.length === 0 ? html`<p class="muted">${v.files.length > 0 ? t(lang, '表形式のデータはありません（収集したのはファイルのみです）。', 'No table data: only files were gathered.') : t(lang, 'まだデータは収集されていません。', 'No data has been gathered yet.')}</p>` : ''}
${v.sections.map((s, si) => html`<section aria-labelledby="s-${si}">
<h2 id="s-${si}">${s.title[lang]}</h2>
<p class="muted">${t(lang, '収集元', 'Source')}: ${gatheredSourceLabel(s.source, lang)} · ${actorLabel(s.enteredBy, lang, staffNames)} · ${formatTime(s.createdAt, lang)}</p>
${s.groups.map((g, gi) => groupTable(lang, si, gi, g))}
</section>`)}
${v.files.length > 0 ? html`<h2>${t(lang, '収集したファイル', 'Gathered files')}</h2><ul>${v.files.map((f) => html`<li><a href="${base}/files/${f.id}"><bdi>${cleanFilename(f.filename)}</bdi></a> <span class="muted">(${Math.ceil(f.size / 1024)} KB, ${formatTime(f.createdAt, lang)})</span></li>`)}</ul>` : ''}`;
}
