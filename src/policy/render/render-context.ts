import type { ContactKind, Policy, PolicyDataItem, Text } from '../schema.ts';
import { taxonomyEntry } from '../taxonomy.ts';
import type { Block, DocumentOptions, Inline, Lang, Rich, SectionKey } from './policy-document.ts';
import { selfName, type SelfName } from './self-name.ts';
import { joinLast, text } from './render-toolkit.ts';

/** A section as its module builds it; the document numbers the sections that apply. */
export interface SectionDraft {
  key: SectionKey;
  title: string;
  blocks: Block[];
}

export function section(key: SectionKey, title: string, blocks: Block[]): SectionDraft {
  return { key, title, blocks };
}

/**
 * What every section module needs, resolved once per policy and language: the language picker `L`, text lookup,
 * the operator's self-name, list joiners, lookups by id, and the paragraph and list block makers.
 */
export interface RenderContext {
  policy: Policy;
  opts: DocumentOptions;
  lang: Lang;
  /** The Japanese or the English string, by the document's language. */
  L: (ja: string, en: string) => string;
  t: (value: Text) => string;
  self: SelfName;
  service: string;
  list: (items: string[]) => string;
  /** 「A、B又はC」 / "A, B or C". */
  listOr: (items: string[]) => string;
  /** 「A、B及びC」 / "A, B and C". */
  listAnd: (items: string[]) => string;
  dataById: Map<string, PolicyDataItem>;
  purposeById: Map<string, Policy['purposes'][number]>;
  dataName: (d: PolicyDataItem) => string;
  dataNames: (ids: string[]) => string;
  isSensitive: (d: PolicyDataItem) => boolean;
  natureOf: (d: PolicyDataItem) => ReturnType<typeof taxonomyEntry>['nature'];
  countryName: (code: string) => string;
  contactInline: (id: string) => Rich;
  p: (...content: Inline[]) => Block;
  ul: (items: string[]) => Block;
}

const contactKindNames: Record<ContactKind, { ja: string; en: string }> = {
  web_form: { ja: 'お問い合わせフォーム', en: 'Web form' },
  email: { ja: '電子メール', en: 'Email' },
  postal: { ja: '郵送', en: 'Post' },
  phone: { ja: '電話', en: 'Phone' },
};

export function createRenderContext(policy: Policy, opts: DocumentOptions): RenderContext {
  const lang = opts.lang;
  const L = (ja: string, en: string): string => (lang === 'ja' ? ja : en);
  const t = (value: Text): string => text(value, lang);
  const self = selfName(policy);
  const service = t(policy.service.name);
  const list = (items: string[]): string => items.join(L('、', ', '));
  /** 「A、B又はC」 / "A, B or C". */
  const listOr = (items: string[]): string => joinLast(items, L('、', ', '), L('又は', ' or '));
  /** 「A、B及びC」 / "A, B and C". */
  const listAnd = (items: string[]): string => joinLast(items, L('、', ', '), L('及び', ' and '));

  const dataById = new Map(policy.data.map((d) => [d.id, d]));
  const purposeById = new Map(policy.purposes.map((p) => [p.id, p]));
  const contactById = new Map(policy.operator.contacts.map((c) => [c.id, c]));
  const dataName = (d: PolicyDataItem): string => (d.name ? t(d.name) : taxonomyEntry(d.category).name[lang]);
  const dataNames = (ids: string[]): string => list(ids.map((id) => { const d = dataById.get(id); return d ? dataName(d) : id; }));
  const isSensitive = (d: PolicyDataItem): boolean => d.sensitive ?? taxonomyEntry(d.category).sensitive;
  const natureOf = (d: PolicyDataItem) => d.nature ?? taxonomyEntry(d.category).nature;
  const region = new Intl.DisplayNames([lang], { type: 'region' });
  const countryName = (code: string): string => region.of(code) ?? code;
  const contactInline = (id: string): Rich => {
    if (id === 'privacy_center') {
      return [{ href: opts.privacyCenterUrl ?? '/privacy-center', text: L('プライバシーセンター（オンライン受付）', 'Privacy center (online requests)') }];
    }
    const c = contactById.get(id);
    if (!c) return [id];
    const label = c.label ? t(c.label) : contactKindNames[c.kind][lang];
    const value = t(c.value);
    const extra: string[] = [];
    if (c.attention) extra.push(t(c.attention));
    if (c.hours) extra.push(L(`受付時間: ${t(c.hours)}`, `Hours: ${t(c.hours)}`));
    const tail = extra.length > 0 ? L(`（${extra.join('、')}）`, ` (${extra.join('; ')})`) : '';
    switch (c.kind) {
      case 'web_form':
        return [`${label}: `, { href: value, text: value }, tail];
      case 'email':
        return [`${label}: `, { href: `mailto:${value}`, text: value }, tail];
      case 'postal':
      case 'phone':
        return [`${label}: ${value}${tail}`];
      default: {
        const never: never = c.kind;
        return never;
      }
    }
  };
  const p = (...content: Inline[]): Block => ({ kind: 'paragraph', content });
  const ul = (items: string[]): Block => ({ kind: 'list', items: items.map((i) => [i]) });

  return { policy, opts, lang, L, t, self, service, list, listOr, listAnd, dataById, purposeById, dataName, dataNames, isSensitive, natureOf, countryName, contactInline, p, ul };
}
