import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock, DAY_MS } from '../../src/clock.ts';
import { MamoriError } from '../../src/errors.ts';
import { verifyAuditChain } from '../../src/audit/audit-log.ts';
import { extendProvision, listProvisions, purgeExpiredRecords, recordProvision, recordReceipt, recordRelatedConfirmation } from '../../src/records/provision-records.ts';
import { createOptOutFiling, flagOptOutStop, updateOptOutFiling } from '../../src/records/optout-filings.ts';
import { createRecordsRequestHooks } from '../../src/records/record-request-hooks.ts';
import { createTestStore, storeDialects } from '../support/stores.ts';

const consentProvision = {
  basis: 'consent',
  providedOn: '2026-04-01',
  recipient: { name: '株式会社サンプル広告', address: '東京都千代田区1-1', representative: '代表取締役 見本太郎' },
  subjects: ['user_1', 'user_2'],
  dataItems: ['メールアドレス', '購入履歴'],
  consentProof: 'consent receipt rcpt_abc',
};

function codeOf(err: unknown): string {
  return err instanceof MamoriError ? err.code : String(err);
}

for (const dialect of storeDialects) {
  describe(`provision records (${dialect})`, () => {
    test('records a consent-based provision with 3-year retention and an audit event', async () => {
      const store = await createTestStore(dialect);
      const clock = createManualClock('2026-04-01T03:00:00Z');
      try {
        const rec = await recordProvision(store.db, clock, 'apikey:k1', consentProvision, 'api');
        assert.equal(rec.retainUntil, '2029-04-01');
        assert.equal(rec.required, true);
        assert.deepEqual((await listProvisions(store.db, { subjectId: 'user_2' })).map((r) => r.id), [rec.id]);
        const events = await store.db.selectFrom('audit_events').select(['action', 'target_id']).execute();
        assert.deepEqual(events, [{ action: 'records.provision_recorded', target_id: rec.id }]);
      } finally {
        await store.drop();
      }
    });

    test('refuses malformed input with MAMORI_RECORD_INVALID naming each field', async () => {
      const store = await createTestStore(dialect);
      const clock = createManualClock('2026-04-01T03:00:00Z');
      try {
        await assert.rejects(recordProvision(store.db, clock, 'cli', { ...consentProvision, providedOn: '2026-13-45', consentProof: undefined, dataItems: [] }, 'cli'), (err) => {
          assert.equal(codeOf(err), 'MAMORI_RECORD_INVALID');
          const paths = ((err as MamoriError).details as { issues: Array<{ path: string }> }).issues.map((i) => i.path);
          assert.ok(paths.includes('providedOn') && paths.includes('dataItems'), paths.join(','));
          return true;
        });
        await assert.rejects(recordProvision(store.db, clock, 'cli', { ...consentProvision, consentProof: undefined }, 'cli'), (err) => codeOf(err) === 'MAMORI_RECORD_INVALID');
        await assert.rejects(recordProvision(store.db, clock, 'cli', { ...consentProvision, form: 'contract_substitute' }, 'cli'), (err) => codeOf(err) === 'MAMORI_RECORD_INVALID');
      } finally {
        await store.drop();
      }
    });

    test('refuses a foreign recipient country that is no ISO 3166-1 country (28条 records)', async () => {
      const store = await createTestStore(dialect);
      const clock = createManualClock('2026-04-01T03:00:00Z');
      try {
        await assert.rejects(recordProvision(store.db, clock, 'cli', { ...consentProvision, recipient: { ...consentProvision.recipient, country: 'XX' } }, 'cli'), (err) => {
          assert.equal(codeOf(err), 'MAMORI_RECORD_INVALID');
          const paths = ((err as MamoriError).details as { issues: Array<{ path: string }> }).issues.map((i) => i.path);
          assert.ok(paths.includes('recipient.country'), paths.join(','));
          return true;
        });
        const ok = await recordProvision(store.db, clock, 'cli', { ...consentProvision, recipient: { ...consentProvision.recipient, country: 'SG' } }, 'cli');
        assert.equal(ok.recipient.country, 'SG');
      } finally {
        await store.drop();
      }
    });

    test('opt-out provision needs a filed PPC filing, no batch form, and refuses people who asked to stop', async () => {
      const store = await createTestStore(dialect);
      const clock = createManualClock('2026-04-01T03:00:00Z');
      try {
        const filing = await createOptOutFiling(store.db, clock, 'staff:s1', { title: '住宅地図情報の提供', dataItems: ['氏名', '住所'] });
        const optOut = { basis: 'opt_out', providedOn: '2026-04-02', recipient: { name: '購入者', unspecified: true }, subjects: ['p1', 'p2'], dataItems: ['氏名', '住所'], optOutFilingId: filing.id };
        await assert.rejects(recordProvision(store.db, clock, 'cli', optOut, 'cli'), (err) => codeOf(err) === 'MAMORI_RECORD_OPTOUT_NOT_FILED');
        await assert.rejects(updateOptOutFiling(store.db, clock, 'staff:s1', filing.id, { status: 'filed' }), (err) => codeOf(err) === 'MAMORI_RECORD_INVALID');
        await updateOptOutFiling(store.db, clock, 'staff:s1', filing.id, { status: 'filed', filedOn: '2026-03-01' });
        const published = await updateOptOutFiling(store.db, clock, 'staff:s1', filing.id, { status: 'published', ppcPublishedOn: '2026-03-15' });
        assert.equal(published.selfPublicationPending, true);
        await assert.rejects(recordProvision(store.db, clock, 'cli', { ...optOut, form: 'batch' }, 'cli'), (err) => codeOf(err) === 'MAMORI_RECORD_FORM_NOT_ALLOWED');
        const ok = await recordProvision(store.db, clock, 'cli', optOut, 'cli');
        assert.equal(ok.basis, 'opt_out');
        await flagOptOutStop(store.db, clock, 'staff:s1', { subjectId: 'p2', source: 'staff' });
        await assert.rejects(recordProvision(store.db, clock, 'cli', optOut, 'cli'), (err) => {
          assert.equal(codeOf(err), 'MAMORI_RECORD_OPTOUT_STOPPED');
          assert.deepEqual(((err as MamoriError).details as { subjects: string[] }).subjects, ['p2']);
          return true;
        });
        assert.equal((await recordProvision(store.db, clock, 'cli', { ...optOut, subjects: ['p1'] }, 'cli')).subjectCount, 1);
      } finally {
        await store.drop();
      }
    });

    test('a stop-provision decision flags the person through the request hook', async () => {
      const store = await createTestStore(dialect);
      const clock = createManualClock('2026-04-01T03:00:00Z');
      try {
        const hooks = createRecordsRequestHooks({ store, clock });
        await hooks.onDecided?.({ id: 'req_1', kind: 'stop_provision', identities: {}, subjectId: 'p9' }, { outcome: 'refused' });
        assert.equal((await store.db.selectFrom('record_optout_stops').selectAll().execute()).length, 0);
        await hooks.onDecided?.({ id: 'req_1', kind: 'stop_provision', identities: {}, subjectId: 'p9' }, { outcome: 'full' });
        const stops = await store.db.selectFrom('record_optout_stops').select(['subject_id', 'request_id']).execute();
        assert.deepEqual(stops, [{ subject_id: 'p9', request_id: 'req_1' }]);
      } finally {
        await store.drop();
      }
    });

    test('a disclosure gathers the person\'s provision, receipt and 31条 records and nobody else\'s', async () => {
      const store = await createTestStore(dialect);
      const clock = createManualClock('2026-04-01T03:00:00Z');
      try {
        const p = await recordProvision(store.db, clock, 'cli', consentProvision, 'cli');
        await recordProvision(store.db, clock, 'cli', { ...consentProvision, subjects: ['someone_else'] }, 'cli');
        const r = await recordReceipt(store.db, clock, 'cli', {
          basis: 'consent', receivedOn: '2026-03-01', provider: { name: '提供元株式会社', address: '大阪府大阪市1-2', representative: '代表 提供花子' },
          providerAcquisition: '提供元のサービス登録時に本人から直接取得', consentConfirmed: true, subjects: ['user_1'], dataItems: ['氏名'],
        }, 'cli');
        await recordRelatedConfirmation(store.db, clock, 'cli', { confirmedOn: '2026-03-02', recipient: { name: 'Ad Network Inc.', country: 'US' }, consentMethod: '提供先の同意画面', foreignInfoGiven: true, subjects: ['user_1'], dataItems: ['Cookie ID'] }, 'cli');
        const hooks = createRecordsRequestHooks({ store, clock });
        const sections = await hooks.gather?.({ id: 'req_2', kind: 'disclosure', identities: {}, subjectId: 'user_1' });
        assert.equal(sections?.length, 1);
        const groups = Object.fromEntries((sections?.[0]?.groups ?? []).map((g) => [g.name, g.rows.map((x) => x.record_id)]));
        assert.deepEqual(groups, { provided: [p.id], received: [r.id], person_related_information: [groups.person_related_information?.[0]] });
        assert.deepEqual(await hooks.gather?.({ id: 'req_3', kind: 'correction', identities: {}, subjectId: 'user_1' }), []);
      } finally {
        await store.drop();
      }
    });

    test('the purge job deletes only expired records and leaves an audit event', async () => {
      const store = await createTestStore(dialect);
      const clock = createManualClock('2026-04-01T03:00:00Z');
      try {
        const contract = await recordProvision(store.db, clock, 'cli', { ...consentProvision, form: 'contract_substitute', contractRef: '利用規約第12条' }, 'cli');
        const single = await recordProvision(store.db, clock, 'cli', consentProvision, 'cli');
        const batch = await recordProvision(store.db, clock, 'cli', { ...consentProvision, form: 'batch' }, 'cli');
        assert.equal(contract.retainUntil, '2027-04-01');
        // A later provision under the batch record moves its retention.
        const extended = await extendProvision(store.db, clock, 'cli', batch.id, { providedOn: '2026-10-01', subjects: ['user_3'] });
        assert.equal(extended.retainUntil, '2029-10-01');
        assert.equal(extended.subjectCount, 3);

        clock.set('2027-04-01T10:00:00+09:00');
        assert.deepEqual(await purgeExpiredRecords(store.db, clock, 'system'), { provisions: 0, receipts: 0, relatedConfirmations: 0, today: '2027-04-01' });
        clock.set('2027-04-02T00:30:00+09:00');
        assert.equal((await purgeExpiredRecords(store.db, clock, 'system')).provisions, 1);
        assert.deepEqual((await listProvisions(store.db)).map((r) => r.id).sort(), [single.id, batch.id].sort());
        assert.equal((await store.db.selectFrom('record_subjects').selectAll().where('record_id', '=', contract.id).execute()).length, 0);

        clock.advance(3 * 365 * DAY_MS);
        assert.equal((await purgeExpiredRecords(store.db, clock, 'system')).provisions, 2);
        const purges = await store.db.selectFrom('audit_events').select(['action', 'actor', 'data']).where('action', '=', 'records.purged').orderBy('seq').execute();
        assert.equal(purges.length, 3);
        assert.deepEqual((JSON.parse(purges[1]?.data ?? '{}') as { ids: string[] }).ids, [contract.id]);
        assert.equal((await verifyAuditChain(store.db)).ok, true);
      } finally {
        await store.drop();
      }
    });
  });
}
