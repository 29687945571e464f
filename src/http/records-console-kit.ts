import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { MamoriError } from '../errors.ts';
import { localize } from '../policy/load-policy.ts';
import { html, type SafeHtml } from '../html/html.ts';
import { can, consoleLang, renderConsolePage, requireStaff } from './staff-auth.ts';
import type { Lang } from '../html/layout.ts';
import { formatDay, formatTime, t } from './console-page-parts.ts';

// Shared by the records console pages: form reading, Japan-time dates, the records tabs and page frame.

const formBody = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

/** Reads a urlencoded console form (outside data) into string fields. */
export function formOf(request: FastifyRequest): (name: string) => string {
  const parsed = formBody.safeParse(request.body ?? {});
  if (!parsed.success) throw new MamoriError('MAMORI_BAD_REQUEST', 'The form could not be read.');
  return (name) => {
    const v = parsed.data[name];
    return (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
  };
}

export const lines = (s: string) => s.split(/[\n,、]/).map((x) => x.trim()).filter(Boolean);
/** A datetime-local value is Japan time. */
export const jstInstant = (s: string) => (s === '' ? undefined : /[zZ]|[+-]\d\d:\d\d$/.test(s) ? s : `${s.length === 16 ? `${s}:00` : s}+09:00`);

/** An instant as staff read it: Japan time, in the console language's form (2026/04/01 19:00 or 1 Apr 2026, 19:00). */
export function when(iso: string | null, lang: Lang): string {
  return iso ? formatTime(iso, lang) : '—';
}

/** A calendar date the records hold (YYYY-MM-DD, a Japan date), in the console language's form. */
export function day(date: string | null, lang: Lang): string {
  if (!date) return '—';
  return /^\d{4}-\d{2}-\d{2}$/.test(date) ? formatDay(`${date}T00:00:00+09:00`, lang) : formatDay(date, lang);
}

const recordTabs: Array<[string, { ja: string; en: string }]> = [
  ['/console/records', { ja: '提供・受領記録', en: 'Provision records' }],
  ['/console/incidents', { ja: '漏えい等事案', en: 'Breach incidents' }],
  ['/console/statistics', { ja: '統計', en: 'Statistics' }],
  ['/console/anonymization', { ja: '匿名加工情報', en: 'Anonymized data' }],
  ['/console/revision-notices', { ja: '改定・変更の通知', en: 'Revision notices' }],
  ['/console/audit', { ja: '監査ログ', en: 'Audit log' }],
];

/** A records tab's name in the console's language (also the page title of the tab's first page). */
export function tabTitle(active: string, lang: Lang): string {
  return recordTabs.find(([href]) => href === active)?.[1][lang] ?? '';
}

function tabs(active: string, lang: Lang): SafeHtml {
  return html`<nav aria-label="${lang === 'ja' ? '記録' : 'Records'}" class="noprint" style="display:flex;gap:12px;flex-wrap:wrap;margin-bottom:16px">${recordTabs.map(([href, label]) => (href === active ? html`<strong aria-current="page">${label[lang]}</strong>` : html`<a href="${href}">${label[lang]}</a>`))}</nav>`;
}

/**
 * A records page in the console's language. The records keep what staff typed (names, items, descriptions) as typed;
 * every word mamori writes follows the language switch.
 */
export function page(request: FastifyRequest, reply: FastifyReply, title: string, active: string, body: SafeHtml): FastifyReply {
  const lang = consoleLang(request);
  return reply.type('text/html; charset=utf-8').send(renderConsolePage(request, { title, body: html`${tabs(active, lang)}<h1>${title}</h1>${body}` }));
}

/** A horizontal bar chart as inline SVG (no script), with the numbers as text for screen readers and print. */
export function barChart(title: string, bars: Array<{ label: string; value: number | null }>, unit = '', lang: Lang = 'ja'): SafeHtml {
  const max = Math.max(1, ...bars.map((b) => b.value ?? 0));
  const rowH = 26;
  const width = 560;
  const labelW = 170;
  const h = bars.length * rowH + 8;
  const rows = bars
    .map((b, i) => {
      const y = i * rowH + 4;
      const w = b.value === null ? 0 : Math.round(((width - labelW - 70) * b.value) / max);
      const text = b.value === null ? t(lang, '非表示', 'hidden') : `${b.value}${unit}`;
      return html`<text x="0" y="${y + 16}" font-size="13">${b.label}</text><rect x="${labelW}" y="${y + 3}" width="${w}" height="16" fill="${b.value === null ? '#c9ced8' : '#1f5fbf'}"></rect><text x="${labelW + w + 6}" y="${y + 16}" font-size="13">${text}</text>`;
    });
  return html`<figure><svg role="img" aria-label="${title}" viewBox="0 0 ${width} ${h}" width="100%" style="max-width:${width}px">${rows}</svg><figcaption class="muted">${title}</figcaption></figure>`;
}


/** The guards and helpers every records console page uses, made once per app. */
export function recordsConsoleAccess(ctx: AppContext) {
  return {
    db: ctx.store.db,
    /** Lists and statistics read here: the replica from DATABASE_READ_URL when set (a write shows once it has replicated). */
    readDb: ctx.read.db,
    view: requireStaff(ctx, 'records.view'),
    manage: requireStaff(ctx, 'records.manage'),
    incidents: requireStaff(ctx, 'incidents.manage'),
    audit: requireStaff(ctx, 'audit.view'),
    publish: requireStaff(ctx, 'policy.publish'),
    operator: () => localize(ctx.policy.policy.operator.name, 'ja'),
    allowed: (request: FastifyRequest, p: Parameters<typeof can>[1]) => !!request.staff && can(request.staff.role, p),
  };
}
export type RecordsConsoleAccess = ReturnType<typeof recordsConsoleAccess>;

export function raise(): never {
  throw new MamoriError('MAMORI_AUTH_REQUIRED');
}
