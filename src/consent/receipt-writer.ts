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

interface Pending {
  item: PreparedReceipt;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for consent receipts. A receipt is checked and signed at once (a bad one fails alone); while one
 * batch's transaction is in flight the next receipts wait, and then go in one transaction together: one insert of
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
  let running = false;
  const stats = { batches: 0, receipts: 0 };

  async function flush(): Promise<void> {
    running = true;
    try {
      while (queue.length > 0) {
        const batch = queue.slice(0, MAX_BATCH);
        queue = queue.slice(batch.length);
        try {
          await base.store.db.transaction().execute((trx) => writeReceipts(trx, base.clock, batch.map((p) => p.item), base.changes));
          stats.batches += 1;
          stats.receipts += batch.length;
          for (const subject of new Set(batch.map((p) => p.item.receipt.subject))) base.changes?.changedHere('preferences', subject);
          for (const p of batch) p.resolve();
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      running = false;
    }
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
        if (!running) void flush();
      });
      return item.receipt;
    },
    stats: () => ({ ...stats }),
  };
}
