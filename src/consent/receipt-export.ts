import { canonicalJson } from '../audit/audit-log.ts';
import type { DbOrTrx } from '../store/store.ts';
import { toReceipt } from './consent-receipts.ts';

/**
 * Every receipt recorded in `[from, to)` (ISO instants or `YYYY-MM` months), oldest first, as JSON Lines, read a
 * thousand at a time by keyset on `(recorded_at, id)`: memory stays flat for tens of millions of receipts, and on
 * PostgreSQL only the partitions of the months asked for are read.
 * @example for await (const line of exportReceiptsJsonl(ctx.read.db, { from: '2026-11', to: '2026-12' })) out.write(line);
 */
export async function* exportReceiptsJsonl(db: DbOrTrx, range: { from: string; to: string }, batch = 1000): AsyncGenerator<string> {
  let after: { at: string; id: string } | undefined;
  for (;;) {
    let q = db.selectFrom('consent_receipts').select(['id', 'subject', 'subject_kind', 'choices', 'tools', 'policy_version', 'method', 'recorded_at', 'proof']).where('recorded_at', '>=', range.from).where('recorded_at', '<', range.to);
    if (after) {
      const a = after;
      q = q.where((eb) => eb.or([eb('recorded_at', '>', a.at), eb.and([eb('recorded_at', '=', a.at), eb('id', '>', a.id)])]));
    }
    const rows = await q.orderBy('recorded_at').orderBy('id').limit(batch).execute();
    for (const r of rows) {
      yield `${canonicalJson(toReceipt(r))}\n`;
    }
    if (rows.length < batch) return;
    const last = rows[rows.length - 1]!;
    after = { at: last.recorded_at, id: last.id };
  }
}
