/**
 * What `mamori audit-site` observes and reports. Closed sets are string unions; a report is plain JSON.
 */

/** The passes over the site: before any choice, after rejecting all, after accepting all, with Global Privacy Control on. */
export const auditPasses = ['no_choice', 'reject_all', 'accept_all', 'gpc'] as const;
export type AuditPass = (typeof auditPasses)[number];

/** A request from the page to a host of another site. */
export interface ObservedRequest {
  host: string;
  /** Path with query keys but no values. */
  path: string;
  /** What made the browser send it: the script or document URL (without query), or the frame. */
  initiator: string;
  type: string;
  /** The declared transmission id or catalog tool it maps to, if any. */
  tool: string | null;
}

export interface ObservedCookie {
  name: string;
  domain: string;
  /** Host of the response or script that set it (best effort). */
  setBy: string;
  thirdParty: boolean;
}

export interface ObservedStorage {
  area: 'local' | 'session';
  key: string;
  setBy: string;
}

export interface PageObservation {
  url: string;
  status: number | null;
  error: string | null;
  requests: ObservedRequest[];
  /** Cookies that appeared while this page was shown. */
  cookies: ObservedCookie[];
  storage: ObservedStorage[];
}

export interface PassObservation {
  pass: AuditPass;
  /** Whether the reject-all / accept-all choice could be made (null for passes that make none). */
  choiceMade: boolean | null;
  pages: PageObservation[];
}

export const findingKinds = ['undeclared_transmission', 'before_consent', 'after_reject', 'cookie_after_reject', 'gpc_not_honoured', 'declared_not_seen', 'choice_not_found'] as const;
export type FindingKind = (typeof findingKinds)[number];

export interface SiteAuditFinding {
  kind: FindingKind;
  pass: AuditPass | null;
  /** The transmission or tool concerned (declared id, catalog name), if known. */
  tool: string | null;
  host: string | null;
  cookie: string | null;
  /** Pages where it was seen (at most 10). */
  pages: string[];
  message: string;
}

export interface SiteAuditResult {
  mamori: 'site-audit/1';
  startedAt: string;
  durationMs: number;
  start: string[];
  site: string;
  policy: { file: string | null; inScope: boolean | null } | null;
  pages: string[];
  passes: PassObservation[];
  findings: SiteAuditFinding[];
}
