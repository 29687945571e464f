import type { Policy, PurposeChoice } from '../policy/schema.ts';
import { externalTransmissionsOf, hostMatches } from '../policy/external-transmissions.ts';
import { toolCatalog, catalogToolKeys, type CatalogTool } from '../policy/tool-catalog.ts';
import { consentConfigOf } from '../consent/consent-config.ts';

/** What the policy promises about one transmission, in the terms the audit checks. */
export interface ExpectedTransmission {
  id: string;
  name: string;
  hosts: string[];
  /** The effective choice of the purpose it serves: consent → not before consent; consent/opt_out → not after reject. */
  choice: PurposeChoice;
  /** Switched off by Global Privacy Control. */
  gpc: boolean;
}

/** The policy's promises (or, without a policy, the catalog's defaults) that the audit holds the pages to. */
export interface AuditExpectations {
  hasPolicy: boolean;
  /** undefined when there is no policy or it does not say. */
  inScope: boolean | undefined;
  declared: ExpectedTransmission[];
  /** Cookie names (trailing `*` a prefix) the policy says are needed, so they may stay after reject-all. */
  necessaryCookies: string[];
}

export type HostMatch =
  | { kind: 'declared'; transmission: ExpectedTransmission }
  | { kind: 'catalog'; transmission: ExpectedTransmission }
  | { kind: 'unknown' };

/** Catalog tools as the audit sees them when the policy does not declare them. */
const catalogExpectations: ExpectedTransmission[] = catalogToolKeys.map((key) => {
  const tool: CatalogTool = toolCatalog[key];
  return { id: key, name: tool.name, hosts: tool.hosts, choice: tool.defaultChoice, gpc: tool.family === 'advertising' };
});

export function expectationsOf(policy: Policy | undefined): AuditExpectations {
  if (!policy) return { hasPolicy: false, inScope: undefined, declared: [], necessaryCookies: [] };
  const consent = consentConfigOf(policy);
  const view = externalTransmissionsOf(policy);
  const declared = view.transmissions.map((t): ExpectedTransmission => {
    const purpose = consent.byId.get(t.purposeId);
    return { id: t.id, name: t.name, hosts: t.hosts, choice: purpose?.choice ?? t.choice, gpc: purpose?.gpc ?? false };
  });
  const necessaryCookies = consent.purposes.filter((p) => p.choice === 'none').flatMap((p) => p.cookies);
  return { hasPolicy: true, inScope: view.applies, declared, necessaryCookies };
}

/** Which declared transmission (or else catalog tool) a host belongs to. */
export function matchHost(expectations: AuditExpectations, host: string): HostMatch {
  const declared = expectations.declared.find((t) => t.hosts.some((p) => hostMatches(host, p)));
  if (declared) return { kind: 'declared', transmission: declared };
  const known = catalogExpectations.find((t) => t.hosts.some((p) => hostMatches(host, p)));
  if (known) return { kind: 'catalog', transmission: known };
  return { kind: 'unknown' };
}

export function cookieIsNecessary(expectations: AuditExpectations, name: string): boolean {
  return expectations.necessaryCookies.some((k) => (k.endsWith('*') ? name.startsWith(k.slice(0, -1)) : name === k));
}
