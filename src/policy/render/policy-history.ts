import type { Policy, Text } from '../schema.ts';
import type { DocumentOptions } from './policy-document.ts';

export interface HistoryEntry {
  date: string;
  kind: 'established' | 'revised';
  note?: Text;
  version?: number;
}

/**
 * The file's own history (revisions from before mamori) merged with published versions, oldest first. A version on
 * the same date as a file entry is the same revision. Without a file history, the first version is 制定. With one,
 * the first version is the text the file's entries up to its date already describe (publishing a policy into mamori
 * is not a revision of it), so it adds no entry; a revision is written into `history` or published as a later version.
 */
export function mergedHistory(policy: Policy, opts: Pick<DocumentOptions, 'versions' | 'version'>): HistoryEntry[] {
  const byDate = new Map<string, HistoryEntry>();
  for (const h of policy.history) byDate.set(h.date, { date: h.date, kind: h.kind, ...(h.note ? { note: h.note } : {}) });
  const versions = [...(opts.versions ?? [])];
  if (opts.version && !versions.some((v) => v.number === opts.version!.number)) versions.push(opts.version);
  const firstFileDate = policy.history.map((h) => h.date).sort()[0];
  for (const v of versions) {
    if (opts.version && v.number > opts.version.number) continue;
    if (v.number === 1 && firstFileDate !== undefined && !byDate.has(v.effectiveOn) && v.effectiveOn >= firstFileDate) continue;
    const existing = byDate.get(v.effectiveOn);
    if (existing) existing.version = v.number;
    else byDate.set(v.effectiveOn, { date: v.effectiveOn, kind: 'revised', version: v.number });
  }
  const entries = [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  // With no history in the file, the first published version is the establishment. A file that lists only revisions
  // (the establishment date is not known) is taken at its word.
  if (policy.history.length === 0 && entries.length > 0) entries[0]!.kind = 'established';
  return entries;
}
