import type { Policy, PolicyDataItem, PolicyTool } from '../../policy/schema.ts';
import { taxonomyEntry, type DataNature } from '../../policy/taxonomy.ts';
import { toolCatalog } from '../../policy/tool-catalog.ts';

/**
 * A lint rule: the law (or the file's own consistency) as data plus one pure check. `check` returns findings with a
 * path into the policy file (so `mamori lint` can name line and column) and a message that says what is wrong and
 * how to fix it.
 * @example { id: 'appi-38-fee-kind', article: '38条', severity: 'error', summary: {…}, check: (p) => [...] }
 */
export interface LintRule {
  /** Stable id printed by `mamori lint`, e.g. `appi-38-fee-kind`; `policy-…` for the file's own consistency. */
  id: string;
  /** The article the rule encodes (e.g. `32条1項1号`), or `mamori` for consistency checks. */
  article: string;
  severity: 'error' | 'warning';
  summary: { ja: string; en: string };
  check(policy: Policy): LintFinding[];
}

export interface LintFinding {
  path: Array<string | number>;
  message: string;
}

/** Declared data items by id. */
export function dataIndex(policy: Policy): Map<string, PolicyDataItem> {
  return new Map(policy.data.map((d) => [d.id, d]));
}

/** 要配慮個人情報: the item's override, else the taxonomy's default. */
export function isSensitive(item: PolicyDataItem): boolean {
  return item.sensitive ?? taxonomyEntry(item.category).sensitive;
}

/** Personal data or 個人関連情報: the item's override, else the taxonomy's default. */
export function natureOf(item: PolicyDataItem): DataNature {
  return item.nature ?? taxonomyEntry(item.category).nature;
}

/**
 * The country a tool sends data to, if it leaves the operator's own systems: the tool's own `country`, else the
 * catalog's, except that a self-hosted tool without a country stays with the operator.
 */
export function toolCountry(tool: PolicyTool): string | undefined {
  if (tool.country) return tool.country;
  if (tool.self_hosted || tool.catalog === 'custom') return undefined;
  return toolCatalog[tool.catalog].country;
}

export function toolName(tool: PolicyTool): string {
  if (tool.name) return typeof tool.name === 'string' ? tool.name : tool.name.en;
  return tool.catalog === 'custom' ? tool.id : toolCatalog[tool.catalog].name;
}

/**
 * Countries the PPC designated under 28条1項 and 規則15条 as having a regime equivalent to Japan's: the EU and EEA
 * member states and the United Kingdom.
 */
export const adequateCountries: ReadonlySet<string> = new Set([
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL',
  'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE', // EU
  'IS', 'LI', 'NO', // EEA
  'GB', // United Kingdom
]);

export type ProvisionSection = 'consent_based' | 'opt_out' | 'outsourcing' | 'joint_use' | 'foreign';

export interface ProvisionDataList {
  section: ProvisionSection;
  path: Array<string | number>;
  data: string[];
  /** How a message names the entry, e.g. `joint use "group"`. */
  label: string;
}

/** Every list of data ids in the provision sections, with where it lives in the file. */
export function provisionDataLists(policy: Policy): ProvisionDataList[] {
  const pv = policy.provision;
  return [
    ...pv.consent_based.map((p, i): ProvisionDataList => ({ section: 'consent_based', path: ['provision', 'consent_based', i, 'data'], data: p.data, label: `consent-based provision "${p.id}"` })),
    ...(pv.opt_out ? [{ section: 'opt_out' as const, path: ['provision', 'opt_out', 'data'], data: pv.opt_out.data, label: 'opt-out provision' }] : []),
    ...pv.outsourcing.map((p, i): ProvisionDataList => ({ section: 'outsourcing', path: ['provision', 'outsourcing', i, 'data'], data: p.data, label: `outsourcing "${p.id}"` })),
    ...pv.joint_use.map((p, i): ProvisionDataList => ({ section: 'joint_use', path: ['provision', 'joint_use', i, 'data'], data: p.data, label: `joint use "${p.id}"` })),
    ...pv.foreign.map((p, i): ProvisionDataList => ({ section: 'foreign', path: ['provision', 'foreign', i, 'data'], data: p.data, label: `foreign recipient "${p.id}"` })),
  ];
}
