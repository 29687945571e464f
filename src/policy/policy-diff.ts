import { diffChars, diffLines, diffWordsWithSpace, type Change } from 'diff';
import { html, type SafeHtml } from '../html/html.ts';
import type { Policy } from './schema.ts';
import { buildPolicyDocument, sectionKeys, type DocumentOptions, type Lang, type PolicySection, type SectionKey } from './render-document.ts';
import { sectionPlainText } from './render-markdown.ts';

/**
 * What changed between two policies, section by section. Both are rendered to the same document model the published
 * page uses, so the diff shows what a reader sees. Within a changed line Japanese is compared by character and
 * English by word.
 */
export type SectionStatus = 'added' | 'removed' | 'changed' | 'unchanged';

export interface DiffPart {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

export interface SectionDiff {
  key: SectionKey;
  id: string;
  title: string;
  /** Section number in the old and new policy (numbers shift when sections come and go). */
  fromNumber?: number;
  toNumber?: number;
  status: SectionStatus;
  parts: DiffPart[];
  /** The whole section before and after (title included), for readers who cannot see the marks. */
  oldText?: string;
  newText?: string;
}

export interface PolicyDiff {
  lang: Lang;
  from: { label: string };
  to: { label: string };
  sections: SectionDiff[];
  /** Sections that are added, removed or changed. */
  changedCount: number;
}

/** Which published version a side is, so that its revision history lists the versions as the published page does. */
export type DiffSideVersions = Pick<DocumentOptions, 'version' | 'versions'>;

/** A titled, comparable view of each section. */
function sectionMap(policy: Policy, lang: Lang, versions: DiffSideVersions | undefined): Map<SectionKey, PolicySection> {
  const doc = buildPolicyDocument(policy, { lang, ...versions });
  return new Map(doc.sections.map((s) => [s.key, s]));
}

/**
 * Pass `fromVersions` / `toVersions` when the sides are published versions, so a new entry in the revision history
 * shows as a change of that section, as on the published page.
 * @example const d = diffPolicies(v1.policy, v2.policy, { lang: 'ja', fromLabel: '第1版', toLabel: '第2版' });
 */
export function diffPolicies(from: Policy, to: Policy, opts: { lang: Lang; fromLabel?: string; toLabel?: string; fromVersions?: DiffSideVersions; toVersions?: DiffSideVersions }): PolicyDiff {
  const a = sectionMap(from, opts.lang, opts.fromVersions);
  const b = sectionMap(to, opts.lang, opts.toVersions);
  const sections: SectionDiff[] = [];
  for (const key of sectionKeys) {
    const before = a.get(key);
    const after = b.get(key);
    if (!before && !after) continue;
    const title = (after ?? before)!.title;
    const id = (after ?? before)!.id;
    const numbers = { ...(before ? { fromNumber: before.number } : {}), ...(after ? { toNumber: after.number } : {}) };
    if (!before) {
      sections.push({ key, id, title, ...numbers, status: 'added', parts: [{ kind: 'added', text: sectionPlainText(after!) }] });
    } else if (!after) {
      sections.push({ key, id, title, ...numbers, status: 'removed', parts: [{ kind: 'removed', text: sectionPlainText(before) }] });
    } else {
      const oldText = `${before.title}\n${sectionPlainText(before)}`;
      const newText = `${after.title}\n${sectionPlainText(after)}`;
      if (oldText === newText) sections.push({ key, id, title, ...numbers, status: 'unchanged', parts: [{ kind: 'same', text: sectionPlainText(after) }] });
      else sections.push({ key, id, title, ...numbers, status: 'changed', parts: diffText(oldText, newText, opts.lang), oldText, newText });
    }
  }
  return {
    lang: opts.lang,
    from: { label: opts.fromLabel ?? (opts.lang === 'ja' ? '変更前' : 'Before') },
    to: { label: opts.toLabel ?? (opts.lang === 'ja' ? '変更後' : 'After') },
    sections,
    changedCount: sections.filter((s) => s.status !== 'unchanged').length,
  };
}

/** Line diff first; a removed run followed by an added run is refined by character (ja) or word (en). */
export function diffText(oldText: string, newText: string, lang: Lang): DiffPart[] {
  const lines = diffLines(oldText, newText);
  const out: DiffPart[] = [];
  for (let i = 0; i < lines.length; i++) {
    const c = lines[i]!;
    const next = lines[i + 1];
    if (c.removed && next?.added) {
      const inner: Change[] = lang === 'ja' ? diffChars(c.value, next.value) : diffWordsWithSpace(c.value, next.value);
      out.push(...cleanup(inner.map(toPart), lang === 'ja' ? 2 : 1));
      i++;
    } else out.push(toPart(c));
  }
  return merge(out);
}

function toPart(c: Change): DiffPart {
  return { kind: c.added ? 'added' : c.removed ? 'removed' : 'same', text: c.value };
}

/**
 * Character diffs of Japanese leave one- or two-character islands of "same" text between changes, which are hard
 * to read; fold such islands into both the removed and the added text.
 */
function cleanup(parts: DiffPart[], island: number): DiffPart[] {
  const out: DiffPart[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const prevChanged = out.length > 0 && out[out.length - 1]!.kind !== 'same';
    const nextChanged = i + 1 < parts.length && parts[i + 1]!.kind !== 'same';
    if (p.kind === 'same' && p.text.length <= island && !p.text.includes('\n') && prevChanged && nextChanged) {
      out.push({ kind: 'removed', text: p.text }, { kind: 'added', text: p.text });
    } else out.push(p);
  }
  // Regroup: within a run of changes, all removed text first, then all added text.
  const grouped: DiffPart[] = [];
  let removed = '';
  let added = '';
  const flush = () => {
    if (removed) grouped.push({ kind: 'removed', text: removed });
    if (added) grouped.push({ kind: 'added', text: added });
    removed = '';
    added = '';
  };
  for (const p of out) {
    if (p.kind === 'removed') removed += p.text;
    else if (p.kind === 'added') added += p.text;
    else {
      flush();
      grouped.push(p);
    }
  }
  flush();
  return grouped;
}

function merge(parts: DiffPart[]): DiffPart[] {
  const out: DiffPart[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (last && last.kind === p.kind) last.text += p.text;
    else if (p.text) out.push({ ...p });
  }
  return out;
}

/** Long unchanged stretches are shortened to the lines next to a change, for display. */
export function collapseUnchanged(parts: DiffPart[], context = 1): DiffPart[] {
  return parts.map((p, i) => {
    if (p.kind !== 'same') return p;
    const lines = p.text.split('\n');
    const keepStart = i > 0 ? context + 1 : 0;
    const keepEnd = i < parts.length - 1 ? context + 1 : 0;
    if (lines.length <= keepStart + keepEnd + 1) return p;
    return { kind: 'same', text: [...lines.slice(0, keepStart), '⋯', ...lines.slice(lines.length - keepEnd)].join('\n') };
  });
}

const statusLabel: Record<SectionStatus, { ja: string; en: string }> = {
  added: { ja: '追加', en: 'Added' },
  removed: { ja: '削除', en: 'Removed' },
  changed: { ja: '変更', en: 'Changed' },
  unchanged: { ja: '変更なし', en: 'Unchanged' },
};

function sectionHeading(s: SectionDiff): string {
  const n = s.toNumber ?? s.fromNumber;
  return `${n}. ${s.title}`;
}

/** Hidden from sight, read by screen readers (which do not announce `<ins>` / `<del>` by themselves). */
const SR_ONLY = 'position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0';

function markedPart(p: DiffPart, lang: Lang): SafeHtml | string {
  const say = (ja: string, en: string) => html`<span style="${SR_ONLY}">${lang === 'ja' ? ja : en}</span>`;
  switch (p.kind) {
    case 'added':
      return html`<ins>${say('［追加：', '[added: ')}${p.text}${say('］', ']')}</ins>`;
    case 'removed':
      return html`<del>${say('［削除：', '[removed: ')}${p.text}${say('］', ']')}</del>`;
    case 'same':
      return p.text;
    default: {
      const unreachable: never = p.kind;
      return unreachable;
    }
  }
}

/** The section's whole text before and after, side by side in reading order, each under its own label. */
function beforeAfter(s: SectionDiff, diff: PolicyDiff): SafeHtml {
  const lang = diff.lang;
  const block = (label: string, text: string | undefined) => html`<div class="diff-side"><h3>${label}</h3><div style="white-space:pre-wrap">${text ?? (lang === 'ja' ? '（この節はありません）' : '(no such section)')}</div></div>`;
  const removedText = s.status === 'removed' ? s.parts.map((p) => p.text).join('') : undefined;
  const addedText = s.status === 'added' ? s.parts.map((p) => p.text).join('') : undefined;
  return html`<details class="diff-before-after"><summary>${lang === 'ja' ? '変更前と変更後の全文' : 'Full text before and after'}</summary>
${block(lang === 'ja' ? `変更前（${diff.from.label}）` : `Before (${diff.from.label})`, s.oldText ?? removedText)}
${block(lang === 'ja' ? `変更後（${diff.to.label}）` : `After (${diff.to.label})`, s.newText ?? addedText)}
</details>`;
}

/**
 * The diff as HTML: one section element per changed section with `<ins>` / `<del>` (each also says "added" or
 * "removed" in words for screen readers, and is struck through or underlined, not only coloured) and the section's
 * whole text before and after; unchanged sections are listed by title only.
 */
export function diffHtml(diff: PolicyDiff): SafeHtml {
  const lang = diff.lang;
  const changed = diff.sections.filter((s) => s.status !== 'unchanged');
  const unchanged = diff.sections.filter((s) => s.status === 'unchanged');
  const summary = lang === 'ja' ? `${diff.from.label}から${diff.to.label}への変更: ${changed.length}節` : `Changes from ${diff.from.label} to ${diff.to.label}: ${changed.length} section${changed.length === 1 ? '' : 's'}`;
  return html`<div class="policy-diff">
<p class="diff-summary">${summary}</p>
${changed.length === 0 ? html`<p>${lang === 'ja' ? '内容に変更はありません。' : 'Nothing changed.'}</p>` : ''}
${changed.map((s) => html`<section class="diff-section diff-${s.status}" aria-labelledby="diff-${s.id}">
<h2 id="diff-${s.id}">${sectionHeading(s)} <span class="diff-status">${lang === 'ja' ? `（${statusLabel[s.status].ja}）` : `(${statusLabel[s.status].en})`}</span></h2>
<div class="diff-body" style="white-space:pre-wrap">${collapseUnchanged(s.parts).map((p) => markedPart(p, lang))}</div>
${beforeAfter(s, diff)}
</section>
`)}${unchanged.length > 0 ? html`<section aria-labelledby="diff-unchanged"><h2 id="diff-unchanged">${lang === 'ja' ? '変更のない節' : 'Unchanged sections'}</h2><ul>${unchanged.map((s) => html`<li>${sectionHeading(s)}</li>`)}</ul></section>` : ''}
</div>`;
}

/** The diff as plain text: `[-removed-]` and `{+added+}` markers, changed sections only. */
export function diffPlainText(diff: PolicyDiff): string {
  const lang = diff.lang;
  const changed = diff.sections.filter((s) => s.status !== 'unchanged');
  const lines = [lang === 'ja' ? `${diff.from.label} → ${diff.to.label}（変更のある節: ${changed.length}）` : `${diff.from.label} → ${diff.to.label} (${changed.length} changed section${changed.length === 1 ? '' : 's'})`];
  for (const s of changed) {
    lines.push('', `## ${sectionHeading(s)} [${statusLabel[s.status][lang]}]`);
    lines.push(collapseUnchanged(s.parts).map((p) => (p.kind === 'added' ? `{+${p.text}+}` : p.kind === 'removed' ? `[-${p.text}-]` : p.text)).join(''));
  }
  return `${lines.join('\n')}\n`;
}
