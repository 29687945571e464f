/**
 * The published policy as a language-resolved document: numbered sections made of a few block kinds. The HTML and
 * Markdown renderers serialize it, and the diff compares two of them section by section, so all three agree on what
 * a section says.
 */
export type Lang = 'ja' | 'en';

/** Inline content: plain text, or a link. */
export type Inline = string | { href: string; text: string } | { code: string };
export type Rich = Inline[];

export type Block =
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; content: Rich }
  | { kind: 'list'; items: Rich[]; ordered?: boolean }
  | { kind: 'table'; head: string[]; rows: Rich[][] }
  | { kind: 'fields'; items: Array<{ term: string; content: Rich }> };

/** Every section a policy can have, in the order they appear. Sections that do not apply are omitted. */
export const sectionKeys = [
  'operator', 'definitions', 'acquisition', 'purposes', 'purpose_changes', 'provision', 'opt_out', 'outsourcing',
  'succession', 'joint_use', 'foreign', 'federation', 'tools', 'external_transmissions', 'retention', 'security', 'rights', 'statistics', 'contact',
  'accredited', 'changes', 'history',
] as const;
export type SectionKey = (typeof sectionKeys)[number];

export interface PolicySection {
  key: SectionKey;
  /** The HTML id (stable across versions and languages). */
  id: string;
  number: number;
  title: string;
  blocks: Block[];
}

export interface PolicyDocument {
  lang: Lang;
  title: string;
  serviceName: string;
  intro: Block[];
  /** Lines such as 制定日 / 最終改定日 / 施行日 shown under the title. */
  meta: string[];
  sections: PolicySection[];
  /** Closing line (e.g. 以上). */
  closing?: string;
}

export interface DocumentOptions {
  lang: Lang;
  version?: { number: number; effectiveOn: string };
  versions?: Array<{ number: number; effectiveOn: string }>;
  /** Where the online privacy center is (absolute or site-relative). Default `/privacy-center`. */
  privacyCenterUrl?: string;
  /** Where the 外部送信 page is (absolute or site-relative). Default `/privacy/external-transmissions`. */
  externalTransmissionsUrl?: string;
}
