import type { Clock } from '../clock.ts';
import { appendAudit, type Actor } from '../audit/audit-log.ts';
import type { DbOrTrx } from '../store/store.ts';
import { jstDate } from '../law/appi/breach.ts';
import { inTransaction } from './in-transaction.ts';
import type { RecordType } from './record-rows.ts';

// The purge of provision, receipt and 31条 records whose retention has passed.
/**
 * Deletes every provision, receipt and 31条 record whose retention has passed (as of today in JST), in one
 * transaction with one `records.purged` audit event naming the ids. Run daily by the server and by `mamori records purge`.
 */
export async function purgeExpiredRecords(db: DbOrTrx, clock: Clock, actor: Actor): Promise<{ provisions: number; receipts: number; relatedConfirmations: number; today: string }> {
  const today = jstDate(clock.now());
  return inTransaction(db, async (trx) => {
    const prov = (await trx.selectFrom('record_provisions').select('id').where('retain_until', '<', today).execute()).map((r) => r.id);
    const rcv = (await trx.selectFrom('record_receipts').select('id').where('retain_until', '<', today).execute()).map((r) => r.id);
    const rel = (await trx.selectFrom('record_related_confirmations').select('id').where('retain_until', '<', today).execute()).map((r) => r.id);
    const drop = async (type: RecordType, ids: string[]) => {
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        await trx.deleteFrom('record_subjects').where('record_type', '=', type).where('record_id', 'in', chunk).execute();
        if (type === 'provision') await trx.deleteFrom('record_provisions').where('id', 'in', chunk).execute();
        else if (type === 'receipt') await trx.deleteFrom('record_receipts').where('id', 'in', chunk).execute();
        else await trx.deleteFrom('record_related_confirmations').where('id', 'in', chunk).execute();
      }
    };
    await drop('provision', prov);
    await drop('receipt', rcv);
    await drop('related_confirmation', rel);
    await appendAudit(trx, clock, {
      actor,
      action: 'records.purged',
      targetType: 'records',
      data: { today, provisions: prov.length, receipts: rcv.length, relatedConfirmations: rel.length, ids: [...prov, ...rcv, ...rel].slice(0, 1000) },
    });
    return { provisions: prov.length, receipts: rcv.length, relatedConfirmations: rel.length, today };
  });
}
