import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '../../src/clock.ts';
import { consentConfigOf } from '../../src/consent/consent-config.ts';
import { checkReceiptVersion, getConsentVersion, listConsentVersions, recordConsentVersion } from '../../src/consent/consent-versions.ts';
import { storeDialects, createTestStore, type TestStore } from '../support/stores.ts';
import { loadFixturePolicy } from './consent-server.ts';

for (const dialect of storeDialects) {
  describe(`consent version ledger (${dialect})`, () => {
    let store: TestStore;
    const clock = createManualClock('2026-11-01T00:00:00Z');
    const config = consentConfigOf(loadFixturePolicy().policy);
    before(async () => {
      store = await createTestStore(dialect);
    });
    after(async () => {
      await store.drop();
    });

    test('a version is recorded once, keeps its first time, and resolves to the purposes shown', async () => {
      await recordConsentVersion(store.db, clock, config);
      clock.advance(60_000);
      await recordConsentVersion(store.db, clock, config);
      const v = await getConsentVersion(store.db, config.version);
      assert.equal(v.firstServedAt, '2026-11-01T00:00:00.000Z');
      assert.deepEqual(v.purposes.map((p) => p.id), config.purposes.map((p) => p.id));
      assert.equal((await listConsentVersions(store.db)).length, 1);
    });

    test('a version known only from old receipts gets its content when it is served again', async () => {
      const other = consentConfigOf(loadFixturePolicy((y) => y.replace('不具合を見つけて直すため', '不具合を見つけて修正するため')).policy);
      await store.db.insertInto('consent_versions').values({ version: other.version, purposes: '[]', policy_number: null, first_served_at: '2026-01-01T00:00:00.000Z' }).execute();
      assert.deepEqual((await getConsentVersion(store.db, other.version)).purposes, []);
      await recordConsentVersion(store.db, clock, other);
      const filled = await getConsentVersion(store.db, other.version);
      assert.equal(filled.purposes.length, other.purposes.length);
      assert.equal(filled.firstServedAt, '2026-01-01T00:00:00.000Z', 'the first time stays');
    });

    test('receipt versions: current and served ones pass, unknown ones are refused except for imports', async () => {
      await checkReceiptVersion(store.db, clock, config, config.version, 'banner');
      await assert.rejects(checkReceiptVersion(store.db, clock, config, 'never-served', 'banner'), { code: 'MAMORI_CONSENT_UNKNOWN_VERSION' });
      await assert.rejects(checkReceiptVersion(store.db, clock, config, 'never-served', 'api'), { code: 'MAMORI_CONSENT_UNKNOWN_VERSION' });
      await checkReceiptVersion(store.db, clock, config, 'never-served', 'import');
      await assert.rejects(getConsentVersion(store.db, 'never-served'), { code: 'MAMORI_CONSENT_VERSION_NOT_FOUND' });
    });
  });
}
