import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { MamoriError } from '../errors.ts';
import { localize } from '../policy/load-policy.ts';
import { html, type SafeHtml } from '../html/html.ts';
import { can, consoleLang, renderConsolePage, requireStaff } from './staff-auth.ts';
import type { Cell } from '../records/statistics.ts';

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

export function jst(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(new Date(iso).getTime() + 9 * 3600_000).toISOString();
  return `${d.slice(0, 10)} ${d.slice(11, 16)}`;
}

const recordTabs: Array<[string, { ja: string; en: string }]> = [
  ['/console/records', { ja: '提供・受領記録', en: 'Provision records' }],
  ['/console/incidents', { ja: '漏えい等事案', en: 'Breach incidents' }],
  ['/console/statistics', { ja: '統計', en: 'Statistics' }],
  ['/console/anonymization', { ja: '匿名加工情報', en: 'Anonymized data' }],
  ['/console/revision-notices', { ja: '改定・変更の通知', en: 'Revision notices' }],
  ['/console/audit', { ja: '監査ログ', en: 'Audit log' }],
];

function tabs(active: string, lang: 'ja' | 'en'): SafeHtml {
  return html`<nav aria-label="${lang === 'ja' ? '記録' : 'Records'}" class="noprint" style="display:flex;gap:12px;flex-wrap:wrap;margin-bottom:16px">${recordTabs.map(([href, label]) => (href === active ? html`<strong aria-current="page">${label[lang]}</strong>` : html`<a href="${href}">${label[lang]}</a>`))}</nav>`;
}

/**
 * A records page. The statistics page follows the console's language; the other record pages keep the Japanese of
 * the records the law asks for, and say so on an English console (the tabs and the title follow the language).
 */
export function page(request: FastifyRequest, reply: FastifyReply, title: string, active: string, body: SafeHtml): FastifyReply {
  const lang = consoleLang(request);
  const tab = recordTabs.find(([href]) => href === active)?.[1];
  const shownTitle = tab && tab.ja === title ? tab[lang] : title;
  const note = lang === 'en' && active !== '/console/statistics' ? html`<p class="notice">The records on this page are kept and shown in Japanese, the language of the records the law requires.</p>` : html``;
  return reply.type('text/html; charset=utf-8').send(renderConsolePage(request, { title: shownTitle, body: html`${tabs(active, lang)}<h1>${shownTitle}</h1>${note}${body}` }));
}

export const cell = (c: Cell, k: number) => (c === null ? html`<span class="muted" title="${k}人未満のため非表示">&lt;${k}</span>` : String(c));

/** A horizontal bar chart as inline SVG (no script), with the numbers as text for screen readers and print. */
export function barChart(title: string, bars: Array<{ label: string; value: number | null }>, unit = ''): SafeHtml {
  const max = Math.max(1, ...bars.map((b) => b.value ?? 0));
  const rowH = 26;
  const width = 560;
  const labelW = 170;
  const h = bars.length * rowH + 8;
  const rows = bars
    .map((b, i) => {
      const y = i * rowH + 4;
      const w = b.value === null ? 0 : Math.round(((width - labelW - 70) * b.value) / max);
      const text = b.value === null ? '非表示' : `${b.value}${unit}`;
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
