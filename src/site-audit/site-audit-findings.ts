import type { AuditPass, FindingKind, PassObservation, SiteAuditFinding } from './site-audit-types.ts';
import { cookieIsNecessary, matchHost, type AuditExpectations, type ExpectedTransmission } from './site-audit-expectations.ts';

/**
 * Turns what the browser saw into findings against the policy. Pure: the same observations always give the same
 * findings, in a stable order.
 *
 * - undeclared_transmission: a host of another site that no declared transmission names (when the service is in scope
 *   of 電気通信事業法27条の12 or the policy does not say; out of scope, the rule asks nothing).
 * - before_consent: a tool whose purpose needs consent sent something before any choice.
 * - after_reject: a tool whose purpose needs consent or offers an opt-out sent something after reject-all.
 * - cookie_after_reject: a cookie the policy does not call necessary was set after reject-all.
 * - gpc_not_honoured: an advertising tool (or one whose purpose GPC turns off) sent something with GPC on.
 * - declared_not_seen: a declared transmission with known hosts never appeared, even after accept-all.
 * - choice_not_found: the reject-all or accept-all control could not be found, so that pass proves little.
 */
export function findingsOf(passes: PassObservation[], expectations: AuditExpectations): SiteAuditFinding[] {
  const out = new Map<string, SiteAuditFinding>();
  const add = (key: string, f: Omit<SiteAuditFinding, 'pages'>, page: string | null) => {
    let found = out.get(key);
    if (!found) {
      found = { ...f, pages: [] };
      out.set(key, found);
    }
    if (page && !found.pages.includes(page) && found.pages.length < 10) found.pages.push(page);
  };
  const checkUndeclared = expectations.hasPolicy && expectations.inScope !== false;
  const seen = new Set<string>();

  for (const pass of passes) {
    if (pass.choiceMade === false) {
      add(`choice:${pass.pass}`, { kind: 'choice_not_found', pass: pass.pass, tool: null, host: null, cookie: null, message: `the ${pass.pass === 'reject_all' ? 'reject-all' : 'accept-all'} control was not found on the first page, so this pass shows the pages without a choice` }, null);
    }
    for (const page of pass.pages) {
      for (const req of page.requests) {
        const match = matchHost(expectations, req.host);
        const t: ExpectedTransmission | undefined = match.kind === 'unknown' ? undefined : match.transmission;
        if (match.kind === 'declared') seen.add(match.transmission.id);
        const label = t ? t.name : req.host;
        if (checkUndeclared && match.kind !== 'declared') {
          add(`undeclared:${req.host}`, { kind: 'undeclared_transmission', pass: pass.pass, tool: t?.name ?? null, host: req.host, cookie: null, message: `the page sends to ${req.host}${t ? ` (${t.name})` : ''}, which the policy does not declare as a transmission (外部送信): add the tool with its hosts, recipient, information and purpose` }, page.url);
        }
        if (!t) continue;
        if (pass.pass === 'no_choice' && t.choice === 'consent') {
          add(`before:${t.id}`, { kind: 'before_consent', pass: pass.pass, tool: t.name, host: req.host, cookie: null, message: `${label} needs consent but sent to ${req.host} before any choice was made` }, page.url);
        }
        if (pass.pass === 'reject_all' && pass.choiceMade !== false && t.choice !== 'none') {
          add(`reject:${t.id}`, { kind: 'after_reject', pass: pass.pass, tool: t.name, host: req.host, cookie: null, message: `${label} sent to ${req.host} after the person rejected all optional purposes` }, page.url);
        }
        if (pass.pass === 'gpc' && t.gpc) {
          add(`gpc:${t.id}`, { kind: 'gpc_not_honoured', pass: pass.pass, tool: t.name, host: req.host, cookie: null, message: `${label} sent to ${req.host} although the browser sent Global Privacy Control` }, page.url);
        }
      }
      if (pass.pass === 'reject_all' && pass.choiceMade !== false) {
        for (const c of page.cookies) {
          if (cookieIsNecessary(expectations, c.name)) continue;
          add(`cookie:${c.domain}:${c.name}`, { kind: 'cookie_after_reject', pass: pass.pass, tool: null, host: c.setBy, cookie: c.name, message: `cookie ${c.name} (${c.domain}, set by ${c.setBy}) was set after the person rejected all optional purposes, and the policy does not name it as needed` }, page.url);
        }
      }
    }
  }
  for (const t of expectations.declared) {
    if (t.hosts.length === 0 || seen.has(t.id)) continue;
    add(`unseen:${t.id}`, { kind: 'declared_not_seen', pass: null, tool: t.name, host: t.hosts.join(', '), cookie: null, message: `${t.name} is declared but no page sent anything to ${t.hosts.join(', ')}, even after accept-all: remove it from the policy if the site no longer uses it` }, null);
  }
  return [...out.values()].sort((a, b) => kindOrder[a.kind] - kindOrder[b.kind] || (a.host ?? '').localeCompare(b.host ?? '') || (a.cookie ?? '').localeCompare(b.cookie ?? ''));
}

const kindOrder: Record<FindingKind, number> = { choice_not_found: 0, before_consent: 1, after_reject: 2, cookie_after_reject: 3, gpc_not_honoured: 4, undeclared_transmission: 5, declared_not_seen: 6 };

/** The passes a finding kind is about, for the report's legend. */
export const passLabels: Record<AuditPass, { ja: string; en: string }> = {
  no_choice: { ja: '選択前', en: 'Before any choice' },
  reject_all: { ja: 'すべて拒否の後', en: 'After reject-all' },
  accept_all: { ja: 'すべて許可の後', en: 'After accept-all' },
  gpc: { ja: 'GPC 有効', en: 'With GPC' },
};
