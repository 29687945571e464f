/** Tables owned by the connectors domain. Conventions: ISO-8601 UTC text times, 0/1 booleans, JSON as text. */

/** One unit of background work: a request's access, erasure, correction or suspension across the graph. */
export interface ConnectorRunsTable {
  id: string;
  request_id: string | null;
  /** access | erase | correct | suspend */
  kind: string;
  /** queued | running | done | failed | waiting (webhook callbacks or manual tasks open) */
  status: string;
  dry_run: number;
  /** AES-256-GCM sealed JSON: identities and corrections (personal data never stored in clear). */
  payload_sealed: string;
  attempts: number;
  lease_owner: string | null;
  lease_until: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

/** One system's outcome within a run; unique per (run, dataset) so a resumed run skips what is done. */
export interface ConnectorStepsTable {
  id: string;
  run_id: string;
  dataset: string;
  /** done | failed | skipped | waiting */
  status: string;
  count: number;
  /** Per-collection outcomes and corrections' field names (no values). */
  detail_json: string;
  error_code: string | null;
  error_message: string | null;
  /** Access results and correction values, sealed (AES-256-GCM). */
  result_sealed: string | null;
  attempts: number;
  updated_at: string;
}

/** Manual checklist items and webhook steps awaiting a callback. */
export interface ConnectorTasksTable {
  id: string;
  run_id: string;
  request_id: string | null;
  dataset: string;
  /** manual | webhook */
  kind: string;
  /** open | done | waived | failed */
  status: string;
  reason: string | null;
  actor: string | null;
  created_at: string;
  updated_at: string;
}

export interface ConnectorTables {
  connector_runs: ConnectorRunsTable;
  connector_steps: ConnectorStepsTable;
  connector_tasks: ConnectorTasksTable;
}
