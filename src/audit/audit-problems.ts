// What a verification can find wrong, and how each problem is told to people.

export type AuditProblem =
  /** The row's content no longer matches its hash, or it was changed and re-hashed (the next row no longer links to it). */
  | { kind: 'edited'; seq: number; id: string; rehashed?: boolean }
  /** Rows are missing before `beforeSeq` (`missing` of them, counted by their original numbers). */
  | { kind: 'deleted'; afterSeq: number; beforeSeq: number; missing: number }
  /** A row that is not part of the original chain. */
  | { kind: 'inserted'; seq: number; id: string }
  /** Rows `fromSeq`..`toSeq` carry numbers shifted by `offset` from the ones they were written with. */
  | { kind: 'renumbered'; fromSeq: number; toSeq: number; offset: number }
  /** The newest rows were removed: the chain ends before the head the caller expected. */
  | { kind: 'truncated'; lastSeq: number; expectedSeq: number }
  /** The row at the expected head's position has a different hash. */
  | { kind: 'head_mismatch'; seq: number; expectedHash: string; actualHash: string }
  /** The row's MAC does not match its hash under the audit key: written or re-hashed by someone without the key. */
  | { kind: 'mac_mismatch'; seq: number; id: string }
  /** A row without a MAC after signed rows: written without the key (forged, or by a process not given the secret). */
  | { kind: 'unsigned'; seq: number; id: string }
  /** A row after the signed head: appended without moving the anchor (forged, or written without the key). */
  | { kind: 'unanchored'; seq: number; id: string }
  /** The signed head's MAC does not match: the anchor was rewritten (or the key changed). */
  | { kind: 'head_forged'; seq: number }
  /** Signed rows exist but the head anchor row is gone. */
  | { kind: 'head_missing' }
  /** No rows and no head, although the store shows it was used (requests, staff, consent receipts exist). */
  | { kind: 'wiped'; evidence: string[] }
  /** An earlier append found the signed head invalid and recorded it here before replacing the anchor. */
  | { kind: 'anchor_reset'; seq: number; id: string; headSeq: number };

/**
 * How the head anchor was checked: `verified` (MAC checked with the key), `unchecked` (anchor present, no key
 * registered: position checked, MACs not), `absent` (no anchor yet: only the chain itself was checked).
 */
export type AnchorStatus = 'verified' | 'unchecked' | 'absent';

export interface AuditVerification {
  ok: boolean;
  count: number;
  problems: AuditProblem[];
}

/** A verification of the database's log, with how far the head anchor could be checked. */
export interface AuditLogVerification extends AuditVerification {
  anchor: AnchorStatus;
}

export function problemSeq(p: AuditProblem): number {
  switch (p.kind) {
    case 'edited':
    case 'inserted':
    case 'head_mismatch':
    case 'mac_mismatch':
    case 'unsigned':
    case 'unanchored':
    case 'head_forged':
    case 'anchor_reset':
      return p.seq;
    case 'head_missing':
    case 'wiped':
      return Number.MAX_SAFE_INTEGER;
    case 'deleted':
      return p.afterSeq + 0.5;
    case 'renumbered':
      return p.fromSeq;
    case 'truncated':
      return p.lastSeq + 0.5;
    default: {
      const never: never = p;
      return never;
    }
  }
}

/** One line per problem, for people: `row 12 (aud_…) was edited`. */
export function describeAuditProblem(p: AuditProblem): string {
  switch (p.kind) {
    case 'edited':
      return p.rehashed ? `row ${p.seq} (${p.id}) was edited and its hash recomputed: the next row no longer links to it` : `row ${p.seq} (${p.id}) was edited: its content does not match its hash`;
    case 'deleted':
      return p.afterSeq === 0 ? `the first ${p.missing} row(s) were deleted (the log starts at row ${p.beforeSeq})` : `${p.missing} row(s) deleted between row ${p.afterSeq} and row ${p.beforeSeq}`;
    case 'inserted':
      return `row ${p.seq} (${p.id}) was inserted: it is not part of the original chain`;
    case 'renumbered':
      return `rows ${p.fromSeq}-${p.toSeq} were renumbered (shifted by ${p.offset})`;
    case 'truncated':
      return `the newest rows were deleted: the log ends at row ${p.lastSeq}, expected at least row ${p.expectedSeq}`;
    case 'head_mismatch':
      return `row ${p.seq} does not match the recorded head hash`;
    case 'mac_mismatch':
      return `row ${p.seq} (${p.id}) has a MAC that does not match its hash: it was written or re-hashed without the audit key`;
    case 'unsigned':
      return `row ${p.seq} (${p.id}) has no MAC although earlier rows are signed: it was written without the audit key`;
    case 'unanchored':
      return `row ${p.seq} (${p.id}) comes after the signed head: it was appended without moving the anchor`;
    case 'head_forged':
      return `the signed head (row ${p.seq}) has an invalid MAC: the anchor was rewritten, or the server secret changed`;
    case 'head_missing':
      return 'the signed head anchor is missing although rows are signed';
    case 'wiped':
      return `the audit log is empty although the store was used (${p.evidence.join(', ')}): every row and the head were deleted`;
    case 'anchor_reset':
      return `row ${p.seq} (${p.id}) records that an append found the signed head (row ${p.headSeq}) invalid and replaced it`;
    default: {
      const never: never = p;
      return never;
    }
  }
}
