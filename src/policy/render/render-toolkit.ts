import type { Text } from '../schema.ts';
import type { Lang } from './policy-document.ts';

/** A policy text in one language (a plain string is the same in both). */
export function text(value: Text, lang: Lang): string {
  return typeof value === 'string' ? value : value[lang];
}

/** 「A、B又はC」: items joined by `sep`, the last one by `last`. */
export function joinLast(items: string[], sep: string, last: string): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(sep)}${last}${items.at(-1)}`;
}

export function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** Statute citation in English form: 「35条1項・5項」 → "35(1), (5)". */
export function articleEn(article: string): string {
  return article
    .replace(/(\d+)条(?:(\d+)項)?(?:(\d+)号)?/g, (_m, a: string, b?: string, c?: string) => `${a}${b ? `(${b})` : ''}${c ? `(${c})` : ''}`)
    .replace(/(\d+)項/g, '($1)')
    .replace(/(\d+)号/g, '($1)')
    .replace(/・/g, ', ')
    .replace(/〜/g, '–')
    .replace(/ただし書/g, ' proviso');
}
