import { createHash } from 'node:crypto';
import type { Policy, PurposeChoice, PurposeKind, Text } from '../policy/schema.ts';
import { toolCatalog, type CatalogTool, type ConsentSignal } from '../policy/tool-catalog.ts';
import { publishedTransmissions } from '../policy/external-transmissions.ts';

/** A `{ ja, en }` pair as consent.js and the settings page show it. */
export type Pair = { ja: string; en: string };

/** One tool serving a purpose, as shown in the preferences dialog. */
export interface ConsentTool {
  id: string;
  name: string;
  provider: Pair | null;
  collects: Pair[];
  privacyUrl: string | null;
  optOutUrl: string | null;
  /** First-party cookie names this tool sets (a trailing `*` is a prefix), cleared when the tool is refused. */
  cookies: string[];
}

/** One purpose as the consent domain sees it: its effective choice, labels, tools, signals and cookies. */
export interface ConsentPurpose {
  id: string;
  kind: PurposeKind;
  choice: PurposeChoice;
  label: Pair;
  description: Pair;
  /** Advertising and sharing purposes: switched off by Global Privacy Control. */
  gpc: boolean;
  /** Google Consent Mode v2 signals this purpose grants. */
  signals: ConsentSignal[];
  /** Cookie names (a trailing `*` is a prefix) deleted when the purpose is refused. */
  cookies: string[];
  tools: ConsentTool[];
}

export interface ConsentConfig {
  /** The consent version of the policy: a hash of everything the banner shows, so any change there re-asks. */
  version: string;
  /** The policy declares the 外部送信規律 applies: the banner links to the publication. */
  externalTransmissions: boolean;
  purposes: ConsentPurpose[];
  byId: ReadonlyMap<string, ConsentPurpose>;
}

const label = (ja: string, en: string): Pair => ({ ja, en });

/** Short names for purpose kinds, used as the heading of each purpose in the banner and the settings page. */
export const purposeLabels: Record<PurposeKind, Pair> = {
  service: label('サービスの提供', 'Providing the service'),
  account: label('アカウントの管理', 'Account management'),
  communication: label('ご連絡', 'Communication'),
  support: label('お問い合わせへの対応', 'Support'),
  billing: label('料金の請求', 'Billing'),
  safety: label('安全の確保と不正防止', 'Safety and abuse prevention'),
  analytics: label('アクセス解析', 'Analytics'),
  improvement: label('サービスの改善', 'Service improvement'),
  error_reporting: label('エラー報告', 'Error reporting'),
  advertising: label('広告', 'Advertising'),
  marketing: label('マーケティング', 'Marketing'),
  research: label('調査・研究', 'Research'),
  statistics: label('統計の作成', 'Statistics'),
  recruitment: label('採用', 'Recruitment'),
  hr: label('人事労務', 'Human resources'),
  business: label('取引先との業務', 'Business dealings'),
  legal: label('法令への対応', 'Legal obligations'),
  other: label('その他', 'Other'),
};

/** Purpose kinds that GPC turns off: selling or sharing for ads and marketing. */
const gpcKinds: ReadonlySet<PurposeKind> = new Set(['advertising', 'marketing']);

const kindSignals: Partial<Record<PurposeKind, ConsentSignal[]>> = {
  analytics: ['analytics_storage'],
  advertising: ['ad_storage', 'ad_user_data', 'ad_personalization'],
  marketing: ['ad_user_data', 'ad_personalization'],
};

const choiceStrength: Record<PurposeChoice, number> = { none: 0, opt_out: 1, consent: 2 };

function pair(value: Text): Pair {
  return typeof value === 'string' ? { ja: value, en: value } : { ja: value.ja, en: value.en };
}

/**
 * Derives what consent needs from the policy: each purpose's effective choice is the purpose's own, raised by the
 * strictest tool serving it (a catalog tool that needs consent makes its purpose need consent), never lowered.
 */
export function buildConsentConfig(policy: Policy): ConsentConfig {
  // A tool's 外部送信 items (recipient, information, route) are what the banner shows, so it says what the page does.
  const sent = publishedTransmissions(policy);
  const sentBy = (toolId: string) => sent.transmissions.filter((x) => x.tool === toolId);
  const purposes: ConsentPurpose[] = policy.purposes.map((p) => {
    const tools = policy.tools.filter((t) => t.purpose === p.id);
    let choice: PurposeChoice = p.choice;
    const signals = new Set<ConsentSignal>(kindSignals[p.kind] ?? []);
    const cookies = new Set<string>();
    const shown: ConsentTool[] = [];
    let gpc = gpcKinds.has(p.kind);
    for (const t of tools) {
      const cat: CatalogTool | undefined = t.catalog === 'custom' ? undefined : toolCatalog[t.catalog];
      const toolChoice = t.choice ?? cat?.defaultChoice ?? 'none';
      if (choiceStrength[toolChoice] > choiceStrength[choice]) choice = toolChoice;
      for (const s of cat?.signals ?? []) signals.add(s);
      for (const c of t.cookies ?? cat?.cookies ?? []) cookies.add(c);
      if (cat?.family === 'advertising') gpc = true;
      const own = sentBy(t.id);
      const recipients = own.flatMap((x) => (x.recipient ? [x.recipient] : []));
      const information = own.flatMap((x) => x.information).filter((x, i, all) => all.findIndex((y) => y.ja === x.ja) === i);
      shown.push({
        id: t.id,
        name: t.name ? pair(t.name).ja : (cat?.name ?? t.id),
        provider: t.transmissions && recipients.length > 0 ? { ja: recipients.map((r) => r.ja).join('、'), en: recipients.map((r) => r.en).join(', ') } : t.provider ? pair(t.provider) : cat ? pair(cat.provider) : null,
        collects: t.transmissions && information.length > 0 ? information : t.collects ? t.collects.map(pair) : (cat?.collects.map(pair) ?? []),
        privacyUrl: t.links?.privacy ?? cat?.links.privacy ?? null,
        optOutUrl: own.find((x) => x.route.url)?.route.url ?? t.links?.opt_out ?? cat?.links.optOut ?? null,
        cookies: [...(t.cookies ?? cat?.cookies ?? [])].sort(),
      });
    }
    for (const c of policy.cookies) if (c.purpose === p.id) cookies.add(c.name);
    return { id: p.id, kind: p.kind, choice, label: purposeLabels[p.kind], description: pair(p.description), gpc, signals: [...signals].sort(), cookies: [...cookies].sort(), tools: shown };
  });
  const version = createHash('sha256').update(JSON.stringify(purposes)).digest('base64url').slice(0, 12);
  return { version, externalTransmissions: sent.applies === true, purposes, byId: new Map(purposes.map((p) => [p.id, p])) };
}

const cache = new WeakMap<Policy, ConsentConfig>();

/** The consent config of a policy, computed once per loaded policy object (a reloaded policy gets a new one). */
export function consentConfigOf(policy: Policy): ConsentConfig {
  let config = cache.get(policy);
  if (!config) {
    config = buildConsentConfig(policy);
    cache.set(policy, config);
  }
  return config;
}
