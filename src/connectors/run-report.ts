import { z } from 'zod';
import type { RunKind } from './graph-schema.ts';
import type { StepStatus } from './step-outcome.ts';

export type RunStatus = 'queued' | 'running' | 'waiting' | 'done' | 'failed';

const cascadeSchema = z.object({ path: z.string(), table: z.string(), rule: z.enum(['cascade', 'set_null', 'set_default', 'restrict', 'no_action']), mine: z.number(), others: z.number() });
const triggerSchema = z.object({ id: z.string(), fires: z.string(), acknowledged: z.boolean(), writes: z.array(z.string()).optional() });
const triggerEffectSchema = z.object({ table: z.string(), inserted: z.number(), updated: z.number(), deleted: z.number() });
export const detailSchema = z.object({
  collections: z.array(z.object({ collection: z.string(), status: z.enum(['done', 'skipped']), count: z.number(), note: z.string().optional(), cascaded: z.array(cascadeSchema).optional(), triggers: z.array(triggerSchema).optional(), triggerEffects: z.array(triggerEffectSchema).optional() })).default([]),
  found: z.boolean().optional(),
});

/** A run as the ledger reports it: each system's outcome, with per-collection (and cascaded) counts. */
export interface RunReport {
  id: string;
  requestId: string | null;
  kind: RunKind;
  status: RunStatus;
  dryRun: boolean;
  attempts: number;
  steps: Array<{
    dataset: string;
    status: StepStatus;
    count: number;
    /** Per collection; an erasure's `cascaded` lists rows other tables lose or change through ON DELETE rules. */
    collections: z.infer<typeof detailSchema>['collections'];
    /** Whether the system found any row for the identities (undefined: it cannot tell, e.g. a manual task). */
    found?: boolean;
    error: { code: string; message: string } | null;
    updatedAt: string;
  }>;
  /**
   * True when the run is done and every system that can tell found no row for these identities (the 33条3項 notice:
   * no retained personal data). False whenever a system found something, failed, waits, or cannot tell.
   */
  noDataFound: boolean;
}

/** Whether a finished run found nothing for the identities in any system (see `RunReport.noDataFound`). */
export function runFoundNoData(status: RunStatus, steps: ReadonlyArray<{ status: StepStatus; found?: boolean }>): boolean {
  if (status !== 'done') return false;
  const telling = steps.filter((s) => s.status !== 'skipped');
  return telling.length > 0 && telling.every((s) => s.found === false);
}
