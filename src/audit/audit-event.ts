import { createHash } from 'node:crypto';

// The audit event, its canonical JSON and its hash: what a row is and how it links to the one before.
/** Action of the event written when a keyed append finds the signed head invalid (forged, or the key changed). */
export const ANCHOR_INVALID_ACTION = 'audit.anchor_invalid';

/** Who did something: a staff member, a requester (by request id), the system, an API key, or the CLI. */
export type Actor = `staff:${string}` | `requester:${string}` | `apikey:${string}` | 'system' | 'cli' | `subject:${string}`;

export interface AuditEventInput {
  actor: Actor;
  /** Dotted verb, e.g. `request.filed`, `request.viewed`, `policy.published`, `consent.recorded`. */
  action: string;
  targetType: string;
  targetId?: string | null;
  /** Facts about the change. Reference people by ids, never by email or name. */
  data?: Record<string, unknown>;
}

export interface AuditEvent {
  seq: number;
  id: string;
  at: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string | null;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with sorted keys, so the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  // Keys in UTF-16 code unit order (the default sort of strings), undefined values left out. Written as a loop: every
  // audit append runs it twice over its event, and the entries/filter/sort/map chain showed in a filing's profile.
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object).sort();
  let out = '{';
  for (const k of keys) {
    const v = object[k];
    if (v === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/** SHA-256 over the previous hash and the event's canonical form. */
export function hashAuditEvent(prevHash: string, e: Omit<AuditEvent, 'hash' | 'prevHash'>): string {
  const body = canonicalJson({ seq: e.seq, id: e.id, at: e.at, actor: e.actor, action: e.action, targetType: e.targetType, targetId: e.targetId, data: e.data });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

/** The stored `data` column as an object, or null when it is not one (an edited row). */
export function parseData(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
