import type { Policy } from '../../policy/schema.ts';
import { externalTransmissionsOf, type ResolvedTransmission } from '../../policy/external-transmissions.ts';
import type { LintFinding, LintRule } from '../appi/lint-rule.ts';

/**
 * 電気通信事業法27条の12 (外部送信規律) as lint rules. When the policy declares the service in scope, every transmission
 * its tools make must name the information sent, who handles it at the destination and for what purpose
 * (施行規則22条の2の29), and an opt-out must say where to stop it (27条の12第4号). Out of scope, nothing is required.
 */

/** Where a finding about one transmission points: its own entry when written, else the tool. */
function pathOf(t: ResolvedTransmission, key: string): Array<string | number> {
  return t.index === undefined ? ['tools', t.toolIndex] : ['tools', t.toolIndex, 'transmissions', t.index, key];
}

function inScope(policy: Policy): ResolvedTransmission[] {
  const view = externalTransmissionsOf(policy);
  return view.applies === true ? view.transmissions.filter((t) => t.external) : [];
}

function missing(policy: Policy, pick: (t: ResolvedTransmission) => boolean, key: string, what: string): LintFinding[] {
  return inScope(policy)
    .filter((t) => !pick(t))
    .map((t) => ({
      path: pathOf(t, key),
      message: `tool "${t.toolId}" sends information to another party, but ${what} is not given: add \`transmissions: [{ ${key}: … }]\` to the tool (the service declares external_transmissions.applies: true)`,
    }));
}

export const externalTransmissionRules: LintRule[] = [
  {
    id: 'telecom-27-12-scope',
    article: '電気通信事業法27条の12',
    severity: 'warning',
    summary: { ja: '外部送信規律の対象かどうかを記載する', en: 'Say whether the external-transmission rule applies' },
    check: (p) =>
      p.external_transmissions === undefined && p.tools.some((t) => !t.self_hosted)
        ? [{ path: ['tools'], message: 'the pages use outside tools, so say whether the Telecommunications Business Act\'s external-transmission rule (27条の12) applies: add `external_transmissions: { applies: true, service_kinds: [sns] }` (or `applies: false`)' }]
        : [],
  },
  {
    id: 'telecom-27-12-service-kind',
    article: '施行規則22条の2の27',
    severity: 'error',
    summary: { ja: '対象となる役務の種類を記載する', en: 'Name the kind of service in scope' },
    check: (p) =>
      p.external_transmissions?.applies === true && p.external_transmissions.service_kinds.length === 0
        ? [{ path: ['external_transmissions', 'applies'], message: 'the service is declared in scope: name its kind in `service_kinds` (messaging, sns, bulletin_board, search, online_media or other)' }]
        : [],
  },
  {
    id: 'telecom-27-12-information',
    article: '施行規則22条の2の29第1号',
    severity: 'error',
    summary: { ja: '送信される情報の内容を記載する', en: 'State the information sent' },
    check: (p) => missing(p, (t) => t.information.length > 0, 'information', 'the information sent (送信される情報の内容)'),
  },
  {
    id: 'telecom-27-12-recipient',
    article: '施行規則22条の2の29第2号',
    severity: 'error',
    summary: { ja: '送信先で情報を取り扱う者の氏名又は名称を記載する', en: 'Name who handles the information at the destination' },
    check: (p) => missing(p, (t) => t.recipient !== undefined, 'recipient', 'the name of whoever handles it at the destination (送信先の名称)'),
  },
  {
    id: 'telecom-27-12-purpose',
    article: '施行規則22条の2の29第3号',
    severity: 'error',
    summary: { ja: '送信先での利用目的を記載する', en: 'State the purpose at the destination' },
    check: (p) => missing(p, (t) => t.purpose !== undefined, 'purpose', 'the purpose it is used for (利用目的)'),
  },
  {
    id: 'telecom-27-12-opt-out-route',
    article: '電気通信事業法27条の12第4号',
    severity: 'error',
    summary: { ja: 'オプトアウトの方法と窓口の URL を記載する', en: 'Give the opt-out route and its URL' },
    check: (p) =>
      inScope(p)
        .filter((t) => t.route.kind === 'opt_out' && (t.route.url === undefined || t.route.description === undefined))
        .map((t) => ({
          path: pathOf(t, 'route'),
          message: `tool "${t.toolId}" is sent until the person opts out, so say how and where: add \`route: { kind: opt_out, url: https://…, description: … }\` to its transmission (or \`links.opt_out\` to the tool)`,
        })),
  },
  {
    id: 'telecom-27-12-route-weaker',
    article: '電気通信事業法27条の12',
    severity: 'error',
    summary: { ja: '送信の経路を実際の同意の扱いと一致させる', en: 'The stated route matches how the purpose is actually chosen' },
    check: (p) =>
      inScope(p)
        .filter((t) => (t.route.kind === 'notice' && t.choice !== 'none') || (t.route.kind === 'opt_out' && t.choice === 'consent') || (t.route.kind === 'consent' && t.choice !== 'consent'))
        .map((t) => ({
          path: pathOf(t, 'route'),
          message: `tool "${t.toolId}" states route "${t.route.kind}", but its purpose "${t.purposeId}" is ${t.choice === 'none' ? 'always on' : t.choice === 'consent' ? 'asked for consent' : 'on until turned off'}: make the route say what the banner does`,
        })),
  },
];
