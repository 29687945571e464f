import type { Policy, PolicyTool, PurposeChoice, Text } from './schema.ts';
import type { TransmissionRouteKind, TransmissionServiceKind } from './external-transmission-schema.ts';
import { toolCatalog, type CatalogTool } from './tool-catalog.ts';

/** A `{ ja, en }` pair. */
export interface TextPair {
  ja: string;
  en: string;
}

/**
 * One 外部送信 (電気通信事業法27条の12) with every item resolved: the policy's own words, else the tool's, else the
 * catalog's. A missing item stays undefined (or empty) so lint can name it; nothing is invented.
 */
export interface ResolvedTransmission {
  /** `<tool id>` or `<tool id>#<n>` when a tool declares several transmissions. */
  id: string;
  toolId: string;
  /** Index of the tool in `tools`, and of the transmission in its `transmissions` (undefined: the catalog default). */
  toolIndex: number;
  index: number | undefined;
  name: string;
  /** The policy purpose the tool serves, and that purpose's effective choice (raised by the strictest of its tools). */
  purposeId: string;
  choice: PurposeChoice;
  information: TextPair[];
  recipient: TextPair | undefined;
  purpose: TextPair | undefined;
  route: { kind: TransmissionRouteKind; url: string | undefined; description: TextPair | undefined };
  hosts: string[];
  /** False for a self-hosted tool: the browser sends to the operator itself, which the rule does not cover. */
  external: boolean;
}

export interface ExternalTransmissionsView {
  /** undefined: the policy does not say whether the rule applies. */
  applies: boolean | undefined;
  serviceKinds: TransmissionServiceKind[];
  method: 'publish' | 'notify';
  note: TextPair | undefined;
  transmissions: ResolvedTransmission[];
}

const choiceStrength: Record<PurposeChoice, number> = { none: 0, opt_out: 1, consent: 2 };

const routeOfChoice: Record<PurposeChoice, TransmissionRouteKind> = { none: 'notice', consent: 'consent', opt_out: 'opt_out' };

export function pairOf(value: Text): TextPair {
  return typeof value === 'string' ? { ja: value, en: value } : { ja: value.ja, en: value.en };
}

function catalogOf(tool: PolicyTool): CatalogTool | undefined {
  return tool.catalog === 'custom' ? undefined : toolCatalog[tool.catalog];
}

/** A purpose's effective choice: its own, raised by the strictest tool serving it (as the consent banner does). */
export function effectiveChoices(policy: Policy): Map<string, PurposeChoice> {
  const out = new Map<string, PurposeChoice>();
  for (const p of policy.purposes) {
    let choice: PurposeChoice = p.choice;
    for (const t of policy.tools) {
      if (t.purpose !== p.id) continue;
      const toolChoice = t.choice ?? catalogOf(t)?.defaultChoice ?? 'none';
      if (choiceStrength[toolChoice] > choiceStrength[choice]) choice = toolChoice;
    }
    out.set(p.id, choice);
  }
  return out;
}

/**
 * Every transmission the policy's tools make, with the items the rule names.
 * @example externalTransmissionsOf(policy).transmissions.filter((t) => t.external).map((t) => t.recipient?.ja)
 */
export function externalTransmissionsOf(policy: Policy): ExternalTransmissionsView {
  const choices = effectiveChoices(policy);
  const purposeById = new Map(policy.purposes.map((p) => [p.id, p]));
  const transmissions = policy.tools.flatMap((tool, toolIndex): ResolvedTransmission[] => {
    const cat = catalogOf(tool);
    const choice = choices.get(tool.purpose) ?? tool.choice ?? cat?.defaultChoice ?? 'none';
    const policyPurpose = purposeById.get(tool.purpose);
    const name = tool.name ? pairOf(tool.name).ja : (cat?.name ?? tool.id);
    const entries = tool.transmissions ?? [undefined];
    return entries.map((entry, i): ResolvedTransmission => {
      const routeKind = entry?.route?.kind ?? routeOfChoice[choice];
      const optOutUrl = tool.links?.opt_out ?? cat?.links.optOut;
      const defaultDescription = tool.opt_out ? pairOf(tool.opt_out) : cat ? cat.optOut : undefined;
      return {
        id: entries.length > 1 ? `${tool.id}#${i + 1}` : tool.id,
        toolId: tool.id,
        toolIndex,
        index: entry ? i : undefined,
        name,
        purposeId: tool.purpose,
        choice,
        information: entry?.information?.map(pairOf) ?? tool.collects?.map(pairOf) ?? cat?.collects.map((c) => ({ ...c })) ?? [],
        recipient: entry?.recipient ? pairOf(entry.recipient) : tool.provider ? pairOf(tool.provider) : cat && !cat.genericProvider ? { ...cat.provider } : undefined,
        purpose: entry?.purpose ? pairOf(entry.purpose) : policyPurpose ? pairOf(policyPurpose.description) : undefined,
        route: {
          kind: routeKind,
          url: entry?.route?.url ?? (routeKind === 'opt_out' ? optOutUrl : undefined),
          description: entry?.route?.description ? pairOf(entry.route.description) : defaultDescription ? { ...defaultDescription } : undefined,
        },
        hosts: entry?.hosts ?? (i === 0 && !tool.self_hosted ? (cat?.hosts ?? []) : []),
        external: !tool.self_hosted,
      };
    });
  });
  const decl = policy.external_transmissions;
  return {
    applies: decl?.applies,
    serviceKinds: decl?.service_kinds ?? [],
    method: decl?.method ?? 'publish',
    note: decl?.note ? pairOf(decl.note) : undefined,
    transmissions,
  };
}

/** Whether `host` matches a pattern (`*.example.com` also matches example.com's subdomains at any depth). */
export function hostMatches(host: string, pattern: string): boolean {
  const h = host.toLowerCase();
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) return h.endsWith(p.slice(1));
  return h === p;
}

/** The view as the API and consent.js publish it: the items, without positions in the file. */
export interface PublishedTransmissions {
  applies: boolean | null;
  serviceKinds: TransmissionServiceKind[];
  method: 'publish' | 'notify';
  note: TextPair | null;
  transmissions: Array<{ id: string; tool: string; name: string; purposeId: string; information: TextPair[]; recipient: TextPair | null; purpose: TextPair | null; route: { kind: TransmissionRouteKind; url: string | null; description: TextPair | null }; hosts: string[] }>;
}

/**
 * The transmissions that leave the operator, ready to publish (`/api/v1/policy`, consent.js).
 * @example publishedTransmissions(policy).transmissions.map((t) => t.recipient?.ja)
 */
export function publishedTransmissions(policy: Policy): PublishedTransmissions {
  const view = externalTransmissionsOf(policy);
  return {
    applies: view.applies ?? null,
    serviceKinds: view.serviceKinds,
    method: view.method,
    note: view.note ?? null,
    transmissions: view.transmissions
      .filter((t) => t.external)
      .map((t) => ({ id: t.id, tool: t.toolId, name: t.name, purposeId: t.purposeId, information: t.information, recipient: t.recipient ?? null, purpose: t.purpose ?? null, route: { kind: t.route.kind, url: t.route.url ?? null, description: t.route.description ?? null }, hosts: t.hosts })),
  };
}
