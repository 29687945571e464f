import { assertActionAllowed } from './request-state.ts';
import { checkGatheredUpload } from './request-uploads.ts';
import { gatherEntryBody } from './request-inputs.ts';
import { rowState } from './request-rows.ts';
import type { RequestService } from './request-service-api.ts';
import type { RequestContext } from './request-context.ts';

/** Gathering the person's data: by hand (entries and files) and from every registered system (connectors, consent, records). */
export function createGatheringStage(ctx: RequestContext): Pick<RequestService, 'addGatheredData' | 'addGatheredFile' | 'gatherFromSystems'> {
  const { store, load, record, storeFile, transaction, loadFor, insertSection, gatherHooks } = ctx;

  return {
    async addGatheredData(by, id, entry) {
      const e = gatherEntryBody.parse(entry);
      return transaction(async (trx) => {
        await loadFor(trx, id, 'gather');
        const sid = await insertSection(trx, id, by, { source: e.source, title: e.title, groups: e.groups });
        await record(trx, id, by, 'data_gathered', { section: sid, source: e.source, groups: e.groups.length, rows: e.groups.reduce((n, g) => n + g.rows.length, 0) });
        return sid;
      });
    },

    async addGatheredFile(by, id, file) {
      checkGatheredUpload(file);
      return transaction(async (trx) => {
        await loadFor(trx, id, 'gather');
        const fid = await storeFile(trx, id, by, file, 'gathered', null);
        await record(trx, id, by, 'file_gathered', { file: fid });
        return fid;
      });
    },

    async gatherFromSystems(by, id) {
      const row = await load(store.db, id, false);
      assertActionAllowed(rowState(row), 'gather');
      const sections = await gatherHooks(row);
      await transaction(async (trx) => {
        await loadFor(trx, id, 'gather');
        const ids: string[] = [];
        for (const s of sections) ids.push(await insertSection(trx, id, by, s));
        await record(trx, id, by, 'systems_gathered', { sections: ids, sources: sections.map((s) => s.source) });
      });
      return sections.length;
    },

  };
}
