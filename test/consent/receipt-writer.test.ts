import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { registerAuditKey, verifyAuditChain } from '../../src/audit/audit-log.ts';
import { systemClock } from '../../src/clock.ts';
import { consentConfigOf } from '../../src/consent/consent-config.ts';
import { verifyReceiptProof, type ConsentDeps } from '../../src/consent/consent-receipts.ts';
import { createReceiptWriter } from '../../src/consent/receipt-writer.ts';
import { isMamoriError } from '../../src/errors.ts';
import { createTestStore, storeDialects } from '../support/stores.ts';
import { anonId, loadFixturePolicy } from './consent-server.ts';

for (const dialect of storeDialects) {
  describe(`receipt group commit (${dialect})`, () => {
    test('receipts recorded together are committed together, each with its own audit event in a chain that verifies', async () => {
      const store = await createTestStore(dialect);
      const secret = Buffer.alloc(32, 3);
      registerAuditKey(store.db, secret);
      try {
        const config = consentConfigOf(loadFixturePolicy().policy);
        const deps: ConsentDeps = { store, clock: systemClock, secret, config };
        const writer = createReceiptWriter({ store, clock: systemClock });
        const first = await writer.record(deps, { subject: 'u_first', choices: { analytics: true }, policyVersion: config.version, method: 'api', recordedBy: 'apikey:ck_test' });
        assert.equal(verifyReceiptProof(secret, first), true);

        // Nineteen more at once: a batch or two start, the rest wait for them and go together; a subject's receipts stay in order.
        const repeated = 'u_repeated';
        const inputs = Array.from({ length: 19 }, (_, i) => ({
          subject: i < 3 ? repeated : i % 2 === 0 ? anonId() : `u_${i}`,
          choices: { analytics: i % 2 === 0, error_reports: i === 2 ? false : true },
          policyVersion: config.version,
          method: 'api' as const,
          recordedBy: i % 4 === 0 ? ('browser' as const) : ('apikey:ck_test' as const),
        }));
        const receipts = await Promise.all(inputs.map((input) => writer.record(deps, input)));
        const stats = writer.stats();
        assert.equal(stats.receipts, 20);
        assert.ok(stats.batches <= 5, `${stats.batches} batches for 20 receipts`);

        const stored = await store.db.selectFrom('consent_receipts').select(['id', 'subject', 'recorded_by']).execute();
        assert.equal(stored.length, 20);
        assert.deepEqual(new Set(stored.map((r) => r.id)), new Set([first.id, ...receipts.map((r) => r.id)]));
        // One event per receipt recorded by an identified actor, none for the browser's, each naming its receipt.
        const events = await store.db.selectFrom('audit_events').select(['target_id', 'actor']).where('action', '=', 'consent.recorded').orderBy('seq').execute();
        const audited = [first, ...receipts.filter((_, i) => inputs[i]!.recordedBy !== 'browser')].map((r) => r.id);
        assert.deepEqual(new Set(events.map((e) => e.target_id)), new Set(audited));
        assert.equal(events.length, audited.length);
        assert.deepEqual((await verifyAuditChain(store.db)).ok, true);
        // The last of a subject's receipts sets the current preference, whichever batches they went in.
        const prefs = await store.db.selectFrom('consent_preferences').select(['purpose', 'allowed', 'receipt_id']).where('subject', '=', repeated).orderBy('purpose').execute();
        assert.deepEqual(prefs, [
          { purpose: 'analytics', allowed: 1, receipt_id: receipts[2]!.id },
          { purpose: 'error_reports', allowed: 0, receipt_id: receipts[2]!.id },
        ]);
      } finally {
        await store.drop();
      }
    });

    test('a bad receipt fails alone, before it joins a batch', async () => {
      const store = await createTestStore(dialect);
      try {
        const config = consentConfigOf(loadFixturePolicy().policy);
        const deps: ConsentDeps = { store, clock: systemClock, secret: Buffer.alloc(32, 3), config };
        const writer = createReceiptWriter({ store, clock: systemClock });
        const good = { subject: 'u_good', choices: { analytics: true }, policyVersion: config.version, method: 'api' as const, recordedBy: 'apikey:ck_test' as const };
        const results = await Promise.allSettled([
          writer.record(deps, good),
          writer.record(deps, { ...good, choices: { no_such_purpose: true } }),
          writer.record(deps, { ...good, policyVersion: 'never-served', method: 'banner' }),
          writer.record(deps, good),
        ]);
        assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled']);
        const codes = results.flatMap((r) => (r.status === 'rejected' && isMamoriError(r.reason) ? [r.reason.code] : []));
        assert.deepEqual(codes, ['MAMORI_CONSENT_UNKNOWN_PURPOSE', 'MAMORI_CONSENT_UNKNOWN_VERSION']);
        const stored = await store.db.selectFrom('consent_receipts').select('id').execute();
        assert.equal(stored.length, 2);
      } finally {
        await store.drop();
      }
    });
  });
}
