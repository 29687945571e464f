import type { RequestKind } from '../policy/schema.ts';

/** What other domains see of a request when the workflow calls them. No secrets; the email only where needed. */
export interface RequestHookInfo {
  id: string;
  kind: RequestKind;
  /**
   * Identifiers that may reach the person's data: verified by the requester's own proof (email code, signed
   * assertion), confirmed by staff from documents, or resolved through the systems from those. Never what the
   * requester merely typed (see request-identities.ts). E.g. { email: 'a@example.jp', account_id: '9xq…' }.
   */
  identities: Record<string, string>;
  /** Subject id used by consent receipts and provision records: the trusted account id, when there is one. */
  subjectId: string | null;
}

/** One system's contribution to a disclosure package. */
export interface GatheredSection {
  /** Stable key, e.g. `connector:misskey_db`, `consent`, `provision_records`. */
  source: string;
  title: { ja: string; en: string };
  /** Rows grouped by collection/table (or one group for simple sources). */
  groups: Array<{ name: string; rows: Array<Record<string, unknown>> }>;
}

/**
 * How other domains plug into the request workflow (connectors, consent receipts, provision records).
 * The request service calls every registered hook; a hook must be idempotent (it may be called again after a crash).
 */
export interface RequestHooks {
  /** After identity (and fee, where charged) is settled and work starts: e.g. queue connector access runs. */
  onWorkStarted?(req: RequestHookInfo): Promise<void>;
  /** Data this domain holds about the person, to include in a disclosure (33条, 33条5項). */
  gather?(req: RequestHookInfo): Promise<GatheredSection[]>;
  /** After staff decide to erase, correct, suspend or stop provision: carry the decision out in this domain's systems. */
  onDecided?(req: RequestHookInfo, decision: { outcome: 'full' | 'partial' | 'refused' | 'alternative'; corrections?: Array<{ field: string; before: unknown; after: unknown }> }): Promise<void>;
  /**
   * Which identifiers this domain's systems link to the given trusted ones (e.g. the account id stored beside a
   * verified email), so staff see a claimed account id beside what the verified email really belongs to.
   * `unavailable` names systems that could not be asked.
   */
  resolveIdentities?(identities: Record<string, string>): Promise<{ found: Record<string, string[]>; unavailable: string[] }>;
  /** Reasons the request cannot be closed yet (e.g. open manual tasks); empty when it can. */
  blockersBeforeClose?(req: RequestHookInfo): Promise<string[]>;
}
