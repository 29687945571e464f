import type { AppContext } from '../context.ts';
import type { GatheredSection, RequestHooks } from '../requests/request-hooks.ts';
import { provisionBasisLabels } from '../law/appi/record-retention.ts';
import { listProvisions, listReceipts, listRelatedConfirmations } from './provision-records.ts';
import { flagOptOutStop } from './optout-filings.ts';

/**
 * How the records domain plugs into the request workflow: a disclosure includes the person's provision and
 * receipt records (33条5項); a decided request to stop provision flags the person so opt-out provision refuses them.
 */
export function createRecordsRequestHooks(ctx: Pick<AppContext, 'store' | 'clock'>): RequestHooks {
  return {
    async gather(req) {
      if (req.kind !== 'disclosure' || !req.subjectId) return [];
      const db = ctx.store.db;
      const [provisions, receipts, related] = await Promise.all([
        listProvisions(db, { subjectId: req.subjectId, limit: 1000 }),
        listReceipts(db, { subjectId: req.subjectId, limit: 1000 }),
        listRelatedConfirmations(db, { subjectId: req.subjectId, limit: 1000 }),
      ]);
      const section: GatheredSection = {
        source: 'provision_records',
        title: { ja: '第三者提供記録（第三者への提供及び第三者からの受領）', en: 'Third-party provision records (provided and received)' },
        groups: [
          {
            name: 'provided',
            rows: provisions.map((p) => ({
              record_id: p.id,
              provided_on: p.providedOn,
              last_provided_on: p.lastProvidedOn,
              basis: provisionBasisLabels[p.basis].ja,
              recipient_name: p.recipient.unspecified ? '不特定又は多数の者' : p.recipient.name,
              recipient_address: p.recipient.address,
              recipient_representative: p.recipient.representative,
              recipient_country: p.recipient.country,
              data_items: p.dataItems.join('、'),
              consent: p.consentProof ? '本人の同意を得ています' : null,
            })),
          },
          {
            name: 'received',
            rows: receipts.map((r) => ({
              record_id: r.id,
              received_on: r.receivedOn,
              provider_name: r.provider.name,
              provider_address: r.provider.address,
              provider_representative: r.provider.representative,
              provider_acquisition: r.providerAcquisition,
              data_items: r.dataItems.join('、'),
              consent: r.consentConfirmed ? '本人の同意を確認しています' : null,
            })),
          },
          {
            name: 'person_related_information',
            rows: related.map((c) => ({ record_id: c.id, confirmed_on: c.confirmedOn, recipient_name: c.recipient.name, recipient_country: c.recipient.country, data_items: c.dataItems.join('、') })),
          },
        ].filter((g) => g.rows.length > 0),
      };
      return section.groups.length > 0 ? [section] : [];
    },
    async onDecided(req, decision) {
      if (req.kind !== 'stop_provision' || !req.subjectId) return;
      if (decision.outcome !== 'full' && decision.outcome !== 'partial') return;
      await flagOptOutStop(ctx.store.db, ctx.clock, 'system', { subjectId: req.subjectId, source: 'request', requestId: req.id });
    },
  };
}
