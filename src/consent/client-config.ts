import type { ConsentConfig, Pair } from './consent-config.ts';

/** A `[ja, en]` pair: consent.js picks by index, which keeps its code small. */
export type ClientPair = [string, string];

/**
 * The config inlined into /consent.js: what the page needs at once to hold tags back, release them, clear cookies
 * and show the bar. Kept terse because every key name is bytes in the bundle's code, and without the dialog's longer
 * texts (descriptions, recipients, links: {@link ClientTexts}), which consent.js fetches only when the settings dialog
 * opens, so the served script stays within its gzip budget whatever the policy declares.
 */
export interface ClientConfig {
  /** Consent version: a change re-asks. */
  v: string;
  /** The privacy policy's URL. */
  u: string;
  /** The 外部送信 publication's URL, when the policy declares the rule applies. */
  x: string | null;
  p: ClientPurpose[];
}

export interface ClientPurpose {
  /** Purpose id. */
  i: string;
  /** 0: no choice (needed); 1: consent (opt-in); 2: opt-out. */
  c: 0 | 1 | 2;
  n: ClientPair;
  /** 1 when Global Privacy Control switches it off. */
  g: 0 | 1;
  /** Consent Mode v2 signals. */
  s: string[];
  /** Cookies deleted on refusal (`_ga_*` is a prefix). */
  k: string[];
  /** Tools: id, name, cookies cleared on refusal. */
  t: Array<{ i: string; n: string; k: string[] }>;
}

/**
 * The settings dialog's texts for one consent version (`/api/v1/consent/texts?v=…`), one entry per purpose in the
 * config's order: its description and, per tool in order, provider, what it collects, privacy policy and opt-out links.
 */
export interface ClientTexts {
  v: string;
  p: Array<{ d: ClientPair; t: Array<{ p: ClientPair | null; c: ClientPair[]; u: string | null; o: string | null }> }>;
}

const cp = (p: Pair): ClientPair => [p.ja, p.en];

export function toClientConfig(config: ConsentConfig, policyUrl: string): ClientConfig {
  return {
    v: config.version,
    u: policyUrl,
    x: config.externalTransmissions ? `${policyUrl}/external-transmissions` : null,
    p: config.purposes.map((p) => ({
      i: p.id,
      c: p.choice === 'none' ? 0 : p.choice === 'consent' ? 1 : 2,
      n: cp(p.label),
      g: p.gpc ? 1 : 0,
      s: p.signals,
      k: p.cookies,
      t: p.tools.map((t) => ({ i: t.id, n: t.name, k: t.cookies })),
    })),
  };
}

export function toClientTexts(config: ConsentConfig): ClientTexts {
  return {
    v: config.version,
    p: config.purposes.map((p) => ({ d: cp(p.description), t: p.tools.map((t) => ({ p: t.provider ? cp(t.provider) : null, c: t.collects.map(cp), u: t.privacyUrl, o: t.optOutUrl })) })),
  };
}
