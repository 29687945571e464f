import type { Clock } from '../clock.ts';
import type { ChangeFeed } from '../store/change-feed.ts';
import type { Store } from '../store/store.ts';
import type { Receipt } from './consent-api-schemas.ts';
import { prepareReceipt, writeReceipts, type ConsentDeps, type PreparedReceipt, type RecordConsentInput } from './consent-receipts.ts';
import { checkReceiptVersion } from './consent-versions.ts';

/** Records receipts for one process; concurrent calls are committed together (group commit). */
export interface ReceiptWriter {
  record(deps: ConsentDeps, input: RecordConsentInput): Promise<Receipt>;
  /** Batches committed and receipts written so far (for benchmarks and the operator). */
  stats(): { batches: number; receipts: number };
}

/** Most receipts in one transaction: bounds the statement size (SQLite's parameter limit) and a failure's reach. */
const MAX_BATCH = 200;
/**
 * Batches in flight at once. One: while a batch holds the audit chain's lock (shared by every instance) the next
 * receipts gather into one batch behind it, so under load each hold of the lock carries more receipts. With two in
 * flight, two instances' receipts/s against a bare INSERT loop were 0.06–0.08× (5.3 statements per receipt), with one
 * 0.09–0.12× (3.5 statements per receipt) in the same bench on the same (busy) machine (bench/scale-bench.ts --only=writes).
 * A subject is never in two batches at once.
 */
const IN_FLIGHT = 1;

interface Pending {
  item: PreparedReceipt;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for consent receipts. A receipt is checked and signed at once (a bad one fails alone); while batches'
 * transactions are in flight (at most `IN_FLIGHT`) the next receipts wait, and then go in one transaction together: one insert of
 * receipts, one upsert of preferences, one hold of the audit chain's lock for all their audit events. Under light
 * load a batch is a single receipt and nothing waits; under heavy load the lock is taken once per batch instead of
 * once per receipt, and every receipt still commits together with its own audit event. A failed transaction fails
 * every receipt of its batch (none of them is written); callers see the error as before.
 * The version a receipt names is checked before it joins a batch; the current version is recorded once per process.
 * @example const writer = createReceiptWriter({ store, clock, changes }); await writer.record(deps, input);
 */
export function createReceiptWriter(base: { store: Store; clock: Clock; changes?: ChangeFeed }): ReceiptWriter {
  const recordedVersions = new Set<string>();
  let queue: Pending[] = [];
  let inFlight = 0;
  /** Subjects with a receipt in a transaction now: their next receipts wait for it, so a subject's choices commit in order. */
  const busy = new Set<string>();
  const stats = { batches: 0, receipts: 0 };

  /** The next batch: queued receipts in order, skipping (and keeping queued) those of a subject already being written. */
  function takeBatch(): Pending[] {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    const held = new Set<string>();
    for (const p of queue) {
      const subject = p.item.receipt.subject;
      if (batch.length < MAX_BATCH && !busy.has(subject) && !held.has(subject)) batch.push(p);
      else {
        rest.push(p);
        held.add(subject); // a later receipt of this subject must not overtake this one
      }
    }
    queue = rest;
    return batch;
  }

  /** Starts batches while fewer than `IN_FLIGHT` are being written and some receipt can go. */
  function pump(): void {
    while (inFlight < IN_FLIGHT) {
      const batch = takeBatch();
      if (batch.length === 0) return;
      inFlight += 1;
      void write(batch);
    }
  }

  async function write(batch: Pending[]): Promise<void> {
    const subjects = new Set(batch.map((p) => p.item.receipt.subject));
    for (const subject of subjects) busy.add(subject);
    try {
      await base.store.db.transaction().execute((trx) => writeReceipts(trx, base.clock, batch.map((p) => p.item), base.changes));
      stats.batches += 1;
      stats.receipts += batch.length;
      for (const subject of subjects) base.changes?.changedHere('preferences', subject);
      for (const p of batch) p.resolve();
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      for (const subject of subjects) busy.delete(subject);
      inFlight -= 1;
    }
    pump();
  }

  return {
    async record(deps, input) {
      const item = prepareReceipt(deps, input);
      const version = item.receipt.policyVersion;
      if (!(version === deps.config.version && recordedVersions.has(version))) {
        await checkReceiptVersion(base.store.db, deps.clock, deps.config, version, item.receipt.method);
        if (version === deps.config.version) recordedVersions.add(version);
      }
      await new Promise<void>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        pump();
      });
      return item.receipt;
    },
    stats: () => ({ ...stats }),
  };
}
