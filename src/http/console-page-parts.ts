import { html, type SafeHtml } from '../html/html.ts';
import type { Lang } from '../html/layout.ts';

/**
 * Parts shared by the console's request pages (queue, entry, request, gathered data). The frame (navigation,
 * sign-out) is renderConsolePage's.
 */

export interface ConsoleMessage {
  kind: 'error' | 'ok';
  text: string;
  code?: string;
}

/** The Japanese or the English string, by the staff member's language. */
export function t(lang: Lang, ja: string, en: string): string {
  return lang === 'ja' ? ja : en;
}

/**
 * Staff read times in Japan time, to the minute, in their language's form: 2026/04/01 09:00 in Japanese,
 * 1 Apr 2026, 09:00 in English (a month name, so a day and a month are never mistaken for each other).
 */
export function formatTime(iso: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', { timeZone: 'Asia/Tokyo', year: 'numeric', month: lang === 'ja' ? '2-digit' : 'short', day: lang === 'ja' ? '2-digit' : 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

export function formatDay(iso: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', { timeZone: 'Asia/Tokyo', year: 'numeric', month: lang === 'ja' ? '2-digit' : 'short', day: lang === 'ja' ? '2-digit' : 'numeric' }).format(new Date(iso));
}

export function messageBox(m: ConsoleMessage | undefined): SafeHtml {
  if (!m) return html``;
  return html`<div class="notice${m.kind === 'error' ? ' error' : ''}" role="${m.kind === 'error' ? 'alert' : 'status'}" id="message" tabindex="-1"${m.kind === 'error' ? html` autofocus` : ''}><p>${m.text}</p>${m.code ? html`<p class="muted"><small>${m.code}</small></p>` : ''}</div>`;
}


/** Kept for callers that render a console body outside the frame; the frame already carries the styles. */
export function consoleStyle(): SafeHtml {
  return html``;
}
