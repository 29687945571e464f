import { z } from 'zod';
import type { RunKind } from '../graph-schema.ts';
import type { DatasetOutcome } from '../step-outcome.ts';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook } from './webhook-signature.ts';

/** What the operator's app answers: done now (with rows for access), or accepted for a later signed callback. */
export const webhookResultSchema = z.object({
  status: z.enum(['done', 'failed', 'accepted']),
  count: z.number().int().min(0).optional(),
  groups: z.array(z.object({ name: z.string().min(1).max(200), rows: z.array(z.record(z.string(), z.unknown())) })).optional(),
  error: z.string().max(500).optional(),
});
export type WebhookResult = z.infer<typeof webhookResultSchema>;

export interface WebhookCall {
  url: string;
  secret: string;
  dataset: string;
  taskId: string;
  kind: RunKind;
  dryRun: boolean;
  identities: Record<string, string>;
  corrections: Array<{ field: string; after: unknown }>;
  callbackUrl: string;
  now: () => Date;
  fetch?: typeof fetch;
  /** Attempts on network errors and 5xx/429 (exponential backoff from `backoffMs`). */
  attempts?: number;
  backoffMs?: number;
}

/**
 * Calls the operator's app with a signed request (HMAC-SHA256 over `timestamp.body`), retrying transient failures.
 * A 202 or `{status:"accepted"}` means the app will call back; the step then waits.
 */
export async function callWebhook(call: WebhookCall): Promise<DatasetOutcome> {
  const body = JSON.stringify({ task_id: call.taskId, dataset: call.dataset, kind: call.kind, dry_run: call.dryRun, identities: call.identities, corrections: call.corrections, callback_url: call.callbackUrl });
  const attempts = call.attempts ?? 3;
  const doFetch = call.fetch ?? fetch;
  let last: { code: string; message: string } = { code: 'MAMORI_WEBHOOK_FAILED', message: 'no attempt made' };
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, (call.backoffMs ?? 200) * 2 ** (i - 1)));
    const ts = Math.floor(call.now().getTime() / 1000);
    let res: Response;
    try {
      res = await doFetch(call.url, { method: 'POST', headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: String(ts), [SIGNATURE_HEADER]: signWebhook(call.secret, ts, body) }, body, signal: AbortSignal.timeout(15_000) });
    } catch {
      last = { code: 'MAMORI_WEBHOOK_UNREACHABLE', message: 'the webhook could not be reached' };
      continue;
    }
    if (res.status >= 500 || res.status === 429) {
      last = { code: 'MAMORI_WEBHOOK_FAILED', message: `the webhook answered HTTP ${res.status}` };
      continue;
    }
    if (res.status === 202) return { dataset: call.dataset, status: 'waiting', count: 0, collections: [] };
    if (!res.ok) return { dataset: call.dataset, status: 'failed', count: 0, collections: [], error: { code: 'MAMORI_WEBHOOK_REFUSED', message: `the webhook answered HTTP ${res.status}` } };
    const parsed = webhookResultSchema.safeParse(await res.json().catch(() => null));
    if (!parsed.success) return { dataset: call.dataset, status: 'failed', count: 0, collections: [], error: { code: 'MAMORI_WEBHOOK_BAD_RESPONSE', message: 'the webhook answer does not match the expected shape' } };
    return webhookOutcome(call.dataset, parsed.data);
  }
  return { dataset: call.dataset, status: 'failed', count: 0, collections: [], error: last };
}

export function webhookOutcome(dataset: string, r: WebhookResult): DatasetOutcome {
  switch (r.status) {
    case 'accepted':
      return { dataset, status: 'waiting', count: 0, collections: [] };
    case 'failed':
      return { dataset, status: 'failed', count: 0, collections: [], error: { code: 'MAMORI_WEBHOOK_REPORTED_FAILURE', message: (r.error ?? 'the app reported a failure').slice(0, 200) } };
    case 'done': {
      const groups = r.groups?.map((g) => ({ name: `${dataset}.${g.name}`, rows: g.rows }));
      return { dataset, status: 'done', count: r.count ?? groups?.reduce((a, g) => a + g.rows.length, 0) ?? 0, collections: [], ...(groups ? { groups } : {}) };
    }
    default: {
      const never: never = r.status;
      return never;
    }
  }
}
