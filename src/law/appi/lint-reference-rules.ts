import { requestKinds } from '../../policy/schema.ts';
import { didYouMean } from '../../policy/load-policy.ts';
import { provisionDataLists, type LintFinding, type LintRule } from './lint-rule.ts';

/**
 * The file's own consistency: every id a section points at is declared once, and the history reads in order.
 * A dangling reference would make the published policy silently incomplete (a purpose that names data never
 * described, a request channel that does not exist), so these are errors.
 */

/** The marker `mamori init` leaves where the operator must write something. */
export const FILL_IN_MARKER = 'FILL IN';

/**
 * Placeholders a new user leaves behind besides mamori init's own marker: a template's ORIGINAL-MISSING, a TODO,
 * runs of x (03-xxxx-xxxx) and of 〇/○ (株式会社〇〇).
 */
export const placeholderPatterns: ReadonlyArray<{ pattern: RegExp; shown: string }> = [
  { pattern: /FILL IN/, shown: 'FILL IN' },
  { pattern: /ORIGINAL-MISSING/i, shown: 'ORIGINAL-MISSING' },
  { pattern: /(?<![A-Za-z])TODO(?![A-Za-z])/, shown: 'TODO' },
  { pattern: /(?<![A-Za-z])x{3,}(?![A-Za-z])/i, shown: 'xxx' },
  { pattern: /[〇○]{2,}/, shown: '〇〇' },
];

function unknownRef(kind: string, id: string, known: readonly string[], path: Array<string | number>, where: string): LintFinding {
  const hint = didYouMean(id, known);
  return {
    path,
    message: `${where} refers to ${kind} "${id}", which is not declared${hint ? `: did you mean "${hint}"?` : `: declare it, or use one of ${known.length > 0 ? known.join(', ') : '(none declared yet)'}`}`,
  };
}

function checkRefs(ids: readonly string[], known: readonly string[], kind: string, basePath: Array<string | number>, where: string): LintFinding[] {
  const set = new Set(known);
  return ids.flatMap((id, i) => (set.has(id) ? [] : [unknownRef(kind, id, known, [...basePath, i], where)]));
}

export const referenceRules: LintRule[] = [
  {
    id: 'appi-32-purpose-data-declared',
    article: '32条1項2号',
    severity: 'error',
    summary: { ja: '利用目的が用いる情報はすべて取得する情報として記載する', en: 'Every data item a purpose uses is declared' },
    check: (p) => {
      const known = p.data.map((d) => d.id);
      return p.purposes.flatMap((u, i) => checkRefs(u.data, known, 'data item', ['purposes', i, 'data'], `purpose "${u.id}"`));
    },
  },
  {
    id: 'policy-ref-subject-group',
    article: 'mamori',
    severity: 'error',
    summary: { ja: '参照する本人の区分が定義されている', en: 'Referenced subject groups exist' },
    check: (p) => {
      const known = p.subject_groups.map((g) => g.id);
      return [
        ...p.data.flatMap((d, i) => checkRefs(d.subject_groups, known, 'subject group', ['data', i, 'subject_groups'], `data item "${d.id}"`)),
        ...p.purposes.flatMap((u, i) => checkRefs(u.subject_groups, known, 'subject group', ['purposes', i, 'subject_groups'], `purpose "${u.id}"`)),
      ];
    },
  },
  {
    id: 'policy-ref-contact',
    article: 'mamori',
    severity: 'error',
    summary: { ja: '参照する窓口が定義されている', en: 'Referenced contacts exist' },
    check: (p) => {
      const known = p.operator.contacts.map((c) => c.id);
      const out = checkRefs(p.operator.complaint_contacts ?? [], known, 'contact', ['operator', 'complaint_contacts'], 'operator.complaint_contacts');
      for (const kind of requestKinds) {
        const proc = p.requests.kinds[kind];
        if (!proc) continue;
        proc.channels.forEach((ch, i) => {
          if (ch !== 'privacy_center' && !known.includes(ch)) out.push(unknownRef('contact', ch, ['privacy_center', ...known], ['requests', 'kinds', kind, 'channels', i], `requests.kinds.${kind}.channels`));
        });
      }
      const opt = p.provision.opt_out;
      if (opt) out.push(...checkRefs(opt.stop_request_contacts, known, 'contact', ['provision', 'opt_out', 'stop_request_contacts'], 'provision.opt_out.stop_request_contacts'));
      return out;
    },
  },
  {
    id: 'policy-ref-purpose',
    article: 'mamori',
    severity: 'error',
    summary: { ja: 'ツールと Cookie の利用目的が定義されている', en: 'Tool and cookie purposes exist' },
    check: (p) => {
      const known = p.purposes.map((u) => u.id);
      const out: LintFinding[] = [];
      p.tools.forEach((t, i) => {
        if (!known.includes(t.purpose)) out.push(unknownRef('purpose', t.purpose, known, ['tools', i, 'purpose'], `tool "${t.id}"`));
      });
      p.cookies.forEach((c, i) => {
        if (!known.includes(c.purpose)) out.push(unknownRef('purpose', c.purpose, known, ['cookies', i, 'purpose'], `cookie "${c.name}"`));
      });
      return out;
    },
  },
  {
    id: 'policy-ref-tool',
    article: 'mamori',
    severity: 'error',
    summary: { ja: 'Cookie を設定するツールが定義されている', en: 'Cookie tools exist' },
    check: (p) => {
      const known = p.tools.map((t) => t.id);
      return p.cookies.flatMap((c, i) => (c.tool && !known.includes(c.tool) ? [unknownRef('tool', c.tool, known, ['cookies', i, 'tool'], `cookie "${c.name}"`)] : []));
    },
  },
  {
    id: 'policy-ref-data',
    article: 'mamori',
    severity: 'error',
    summary: { ja: '提供・保存期間で参照する情報が定義されている', en: 'Data referenced by provision and retention exists' },
    check: (p) => {
      const known = p.data.map((d) => d.id);
      return [
        ...provisionDataLists(p).flatMap((l) => checkRefs(l.data, known, 'data item', l.path, l.label)),
        ...(p.retention?.items ?? []).flatMap((r, i) => checkRefs(r.data, known, 'data item', ['retention', 'items', i, 'data'], `retention.items[${i}]`)),
        ...(p.federation ? checkRefs(p.federation.delivered, known, 'data item', ['federation', 'delivered'], 'federation') : []),
      ];
    },
  },
  {
    id: 'policy-unique-ids',
    article: 'mamori',
    severity: 'error',
    summary: { ja: 'id は区分ごとに一意である', en: 'Ids are unique within their section' },
    check: (p) => {
      const sections: Array<[string, Array<string | number>, Array<{ id: string }>]> = [
        ['contact', ['operator', 'contacts'], p.operator.contacts],
        ['subject group', ['subject_groups'], p.subject_groups],
        ['data item', ['data'], p.data],
        ['purpose', ['purposes'], p.purposes],
        ['tool', ['tools'], p.tools],
        ['consent-based provision', ['provision', 'consent_based'], p.provision.consent_based],
        ['outsourcing', ['provision', 'outsourcing'], p.provision.outsourcing],
        ['joint use', ['provision', 'joint_use'], p.provision.joint_use],
        ['foreign recipient', ['provision', 'foreign'], p.provision.foreign],
      ];
      return sections.flatMap(([kind, path, items]) => {
        const first = new Map<string, number>();
        return items.flatMap((item, i): LintFinding[] => {
          const seen = first.get(item.id);
          if (seen === undefined) {
            first.set(item.id, i);
            return [];
          }
          return [{ path: [...path, i, 'id'], message: `${kind} id "${item.id}" is used twice (also at entry ${seen + 1}): give each ${kind} its own id` }];
        });
      });
    },
  },
  {
    id: 'policy-contact-value',
    article: 'mamori',
    severity: 'error',
    summary: { ja: '窓口の連絡先が種類に合った形で書かれている', en: 'Contact values fit their kind' },
    check: (p) =>
      p.operator.contacts.flatMap((c, i): LintFinding[] => {
        const values = typeof c.value === 'string' ? [c.value] : [c.value.ja, c.value.en];
        const path = ['operator', 'contacts', i, 'value'];
        if (values.some((v) => v.includes(FILL_IN_MARKER))) return [];
        switch (c.kind) {
          case 'email':
            return values.every((v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) ? [] : [{ path, message: `contact "${c.id}" is an email contact but its value is not an email address: write it as name@example.jp` }];
          case 'web_form':
            return values.every((v) => /^https?:\/\/\S+$/.test(v)) ? [] : [{ path, message: `contact "${c.id}" is a web form but its value is not a URL: write the form's address, e.g. https://example.jp/contact` }];
          case 'phone':
            return values.every((v) => /[0-9０-９]{2,}/.test(v)) ? [] : [{ path, message: `contact "${c.id}" is a phone contact but its value has no number: write the number, e.g. 03-0000-0000` }];
          case 'postal':
            return [];
          default: {
            const unreachable: never = c.kind;
            return unreachable;
          }
        }
      }),
  },
  {
    id: 'policy-purpose-data-group',
    article: '17条1項',
    severity: 'warning',
    summary: { ja: '利用目的の情報はその本人の区分から取得されている', en: 'A purpose uses data acquired from its own subject groups' },
    check: (p) => {
      const groupsOf = new Map(p.data.map((d) => [d.id, new Set(d.subject_groups)]));
      return p.purposes.flatMap((u, i) =>
        u.data.flatMap((id, j): LintFinding[] => {
          const groups = groupsOf.get(id);
          if (!groups || u.subject_groups.some((g) => groups.has(g))) return [];
          return [{ path: ['purposes', i, 'data', j], message: `purpose "${u.id}" (for ${u.subject_groups.join(', ')}) uses "${id}", which is acquired only from ${[...groups].join(', ')}: add the group to one side or remove the data from the purpose` }];
        }),
      );
    },
  },
  {
    id: 'policy-history-order',
    article: 'mamori',
    severity: 'error',
    summary: { ja: '制定・改定の履歴が日付順に並ぶ', en: 'Revision history is in date order' },
    check: (p) => {
      const out: LintFinding[] = [];
      p.history.forEach((h, i) => {
        const prev = p.history[i - 1];
        if (prev && h.date <= prev.date) out.push({ path: ['history', i, 'date'], message: `history entry ${i + 1} (${h.date}) is not after the entry before it (${prev.date}): list revisions oldest first, one per date` });
        if (h.kind === 'established' && i > 0) out.push({ path: ['history', i, 'kind'], message: `history entry ${i + 1} is "established" but is not the first: the policy is established once; mark later entries as revised` });
      });
      // A history may start with a revision: policies older than mamori often know only their later dates.
      return out;
    },
  },
  {
    id: 'policy-fill-in',
    article: 'mamori',
    severity: 'error',
    summary: { ja: '記入箇所や仮の文字（FILL IN, TODO, xxx など）をすべて埋める', en: 'Fill in every placeholder (FILL IN, TODO, xxx …)' },
    check: (p) => findFillIns(p, []),
  },
];

function findFillIns(value: unknown, path: Array<string | number>): LintFinding[] {
  if (typeof value === 'string') {
    const found = placeholderPatterns.find((p) => p.pattern.test(value));
    if (!found) return [];
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    const from = found.shown === FILL_IN_MARKER ? 'the placeholder from `mamori init`' : `a placeholder (${found.shown})`;
    return [{ path, message: `fill in ${describeField(path)}: it still holds ${from} ("${shown}"); replace it with your own value` }];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => findFillIns(v, [...path, i]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => findFillIns(v, [...path, k]));
  return [];
}

function describeField(path: ReadonlyArray<string | number>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${p}`)).join('');
}
