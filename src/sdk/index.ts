/**
 * mamori's Node SDK (`mamori/client`) for the operator's servers: consent decisions with a local cache, consent
 * receipts, and provision records. Response types come from the same zod schemas that describe the API in OpenAPI.
 */
import {
  decisionsResponse,
  recordConsentResponse,
  subjectConsents,
  type ConsentMethod,
  type Decision,
  type Receipt,
  type SubjectConsents,
} from '../consent/consent-api-schemas.ts';
import { provisionMethods, type ProvisionMethods, type SdkHttp } from './provision-methods.ts';

export type { Decision, Receipt, SubjectConsents, ConsentMethod } from '../consent/consent-api-schemas.ts';

export interface ClientOptions {
  /** mamori's base URL, e.g. `https://privacy.example.jp`. */
  url: string;
  /** A consent API key (`mamori_ck_…`) or a staff API key. */
  apiKey: string;
  /**
   * How long cached decisions are trusted without asking (ms, default 5000). After that the client revalidates with
   * the subject's ETag, so an unchanged subject costs one 304. Choices recorded through this client invalidate at once.
   */
  cacheMs?: number;
  /** For tests or custom agents. */
  fetch?: typeof fetch;
}

/** An error answered by mamori, with its stable code (e.g. `MAMORI_CONSENT_UNKNOWN_PURPOSE`). */
export class MamoriApiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'MamoriApiError';
    this.status = status;
    this.code = code;
  }
}

export interface MamoriClient extends ProvisionMethods {
  /**
   * Whether `subject` may be processed for `purpose` now.
   * @example if (await mamori.allowed(user.id, 'error_reports')) Sentry.init(…);
   */
  allowed(subject: string, purpose: string): Promise<boolean>;
  /** The decision with its basis and the policy version it rests on. */
  decide(subject: string, purpose: string): Promise<Decision>;
  /** Every purpose's decision for a subject. */
  decisions(subject: string): Promise<Record<string, Decision>>;
  /** Records a receipt (a withdrawal is `false`) and drops the subject's cached decisions. */
  record(subject: string, choices: Record<string, boolean>, opts?: { method?: ConsentMethod; policyVersion?: string }): Promise<Receipt>;
  /** The subject's receipts and current preferences (export). */
  consents(subject: string): Promise<SubjectConsents>;
  /** Drops cached decisions for one subject, or all. */
  invalidate(subject?: string): void;
}

interface Cached {
  decisions: Record<string, Decision>;
  etag: string | null;
  checkedAt: number;
}

const errorShape = (value: unknown): { code: string; message: string } | null => {
  if (value && typeof value === 'object' && 'error' in value) {
    const e = (value as { error: unknown }).error;
    if (e && typeof e === 'object' && 'code' in e && 'message' in e && typeof e.code === 'string' && typeof e.message === 'string') return { code: e.code, message: e.message };
  }
  return null;
};

/**
 * Creates a client.
 * @example const mamori = createClient({ url: 'https://privacy.example.jp', apiKey: process.env.MAMORI_API_KEY! });
 */
export function createClient(options: ClientOptions): MamoriClient {
  const base = options.url.replace(/\/$/, '');
  const doFetch = options.fetch ?? fetch;
  const cacheMs = options.cacheMs ?? 5000;
  const cache = new Map<string, Cached>();

  async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown; headers: Headers }> {
    const res = await doFetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${options.apiKey}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = res.status === 304 ? '' : await res.text();
    let json: unknown = null;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
    }
    if (res.status >= 400) {
      const e = errorShape(json);
      throw new MamoriApiError(res.status, e?.code ?? 'MAMORI_HTTP_ERROR', e?.message ?? `mamori answered ${res.status}`);
    }
    return { status: res.status, json, headers: res.headers };
  }

  const http: SdkHttp = {
    async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
      return (await call(method, path, body)).json as T;
    },
  };

  async function decisions(subject: string): Promise<Record<string, Decision>> {
    const hit = cache.get(subject);
    const now = Date.now();
    if (hit && now - hit.checkedAt < cacheMs) return hit.decisions;
    const res = await call('GET', `/api/v1/decisions?subject=${encodeURIComponent(subject)}`, undefined, hit?.etag ? { 'if-none-match': hit.etag } : {});
    if (res.status === 304 && hit) {
      hit.checkedAt = now;
      return hit.decisions;
    }
    const parsed = decisionsResponse.parse(res.json);
    cache.set(subject, { decisions: parsed.decisions, etag: res.headers.get('etag'), checkedAt: now });
    return parsed.decisions;
  }

  async function decide(subject: string, purpose: string): Promise<Decision> {
    const all = await decisions(subject);
    const d = all[purpose];
    if (!d) throw new MamoriApiError(400, 'MAMORI_CONSENT_UNKNOWN_PURPOSE', `The policy has no purpose "${purpose}".`);
    return d;
  }

  return {
    ...provisionMethods(http),
    decide,
    decisions,
    async allowed(subject, purpose) {
      return (await decide(subject, purpose)).allowed;
    },
    async record(subject, choices, opts = {}) {
      cache.delete(subject);
      const res = await call('POST', '/api/v1/consents', { subject, choices, method: opts.method ?? 'api', ...(opts.policyVersion ? { policyVersion: opts.policyVersion } : {}) });
      cache.delete(subject);
      return recordConsentResponse.parse(res.json).receipt;
    },
    async consents(subject) {
      return subjectConsents.parse((await call('GET', `/api/v1/consents/${encodeURIComponent(subject)}`)).json);
    },
    invalidate(subject) {
      if (subject === undefined) cache.clear();
      else cache.delete(subject);
    },
  };
}
