import type { ConsentConfig, Pair } from './consent-config.ts';

/** A `[ja, en]` pair: consent.js picks by index, which keeps its code small. */
export type ClientPair = [string, string];

/** The config inlined into /consent.js, kept terse because every key name is bytes in the bundle's code. */
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
  d: ClientPair;
  /** 1 when Global Privacy Control switches it off. */
  g: 0 | 1;
  /** Consent Mode v2 signals. */
  s: string[];
  /** Cookies deleted on refusal (`_ga_*` is a prefix). */
  k: string[];
  /** Tools: id, name, provider, what they collect, privacy policy and opt-out links, cookies cleared on refusal. */
  t: Array<{ i: string; n: string; p: ClientPair | null; c: ClientPair[]; u: string | null; o: string | null; k: string[] }>;
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
      d: cp(p.description),
      g: p.gpc ? 1 : 0,
      s: p.signals,
      k: p.cookies,
      t: p.tools.map((t) => ({ i: t.id, n: t.name, p: t.provider ? cp(t.provider) : null, c: t.collects.map(cp), u: t.privacyUrl, o: t.optOutUrl, k: t.cookies })),
    })),
  };
}
