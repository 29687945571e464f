import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { createManualClock } from '../../src/clock.ts';
import { verifyAuditChain } from '../../src/audit/audit-log.ts';
import { isMamoriError } from '../../src/errors.ts';
import { parsePolicy } from '../../src/policy/load-policy.ts';
import { changedPurposes, getVersion, latestVersion, listVersions, publishVersion } from '../../src/policy/policy-versions.ts';
import { createTestStore, storeDialects } from '../support/stores.ts';

const load = (name: string) => {
  const path = fileURLToPath(new URL(`../fixtures/render/${name}`, import.meta.url));
  const source = readFileSync(path, 'utf8');
  const r = parsePolicy(source, path);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return { policy: r.loaded.policy, sourceYaml: source };
};
const v1 = load('policy.yaml');
const v2 = load('policy-v2.yaml');

const rejects = (code: string) => (err: unknown) => isMamoriError(err) && err.code === code;

test('changedPurposes names new or edited purposes only', () => {
  assert.deepEqual(changedPurposes(v1.policy, v2.policy), ['analytics']);
  assert.deepEqual(changedPurposes(v1.policy, { ...v1.policy, purposes: v1.policy.purposes.slice(1) }), []);
});

for (const dialect of storeDialects) {
  test(`publishes numbered immutable versions with an audit event in the same transaction (${dialect})`, async () => {
    const store = await createTestStore(dialect);
    try {
      const clock = createManualClock('2025-03-01T00:00:00Z');
      assert.equal(await latestVersion(store.db), undefined);
      const first = await publishVersion(store, clock, { ...v1, effectiveOn: '2024-04-01', note: 'first', actor: 'cli' });
      assert.equal(first.number, 1);
      assert.equal(first.purposeChange, null);

      await assert.rejects(publishVersion(store, clock, { ...v1, effectiveOn: '2024-05-01', actor: 'cli' }), rejects('MAMORI_POLICY_VERSION_EXISTS'));
      await assert.rejects(publishVersion(store, clock, { ...v2, effectiveOn: '2025-04-01', actor: 'cli' }), rejects('MAMORI_POLICY_PURPOSE_CHANGE_UNCONFIRMED'));
      await assert.rejects(publishVersion(store, clock, { ...v2, effectiveOn: '2024-01-01', purposeChange: 'related', actor: 'cli' }), rejects('MAMORI_POLICY_EFFECTIVE_DATE_INVALID'));
      await assert.rejects(publishVersion(store, clock, { ...v2, effectiveOn: '2025-02-30', purposeChange: 'related', actor: 'cli' }), rejects('MAMORI_POLICY_EFFECTIVE_DATE_INVALID'));

      const second = await publishVersion(store, clock, { ...v2, effectiveOn: '2025-04-01', purposeChange: 'consent', actor: 'staff:st_1' });
      assert.equal(second.number, 2);
      assert.equal(second.purposeChange, 'consent');

      const list = await listVersions(store.db);
      assert.deepEqual(list.map((v) => v.number), [2, 1]);
      assert.equal(list[1]?.note, 'first');
      assert.equal((await latestVersion(store.db))?.id, second.id);
      const byNumber = await getVersion(store.db, 1);
      assert.deepEqual(byNumber?.policy, v1.policy, 'a stored version renders without the old file');
      assert.equal((await getVersion(store.db, second.id))?.number, 2);
      assert.equal(await getVersion(store.db, 9), undefined);

      const events = await store.db.selectFrom('audit_events').selectAll().where('action', '=', 'policy.published').orderBy('seq').execute();
      assert.equal(events.length, 2, 'refused publications leave no audit event');
      const data = JSON.parse(events[1]!.data) as Record<string, unknown>;
      assert.equal(data.purposeChange, 'consent');
      assert.deepEqual(data.changedPurposes, ['analytics']);
      assert.equal(events[1]!.actor, 'staff:st_1');
      assert.equal(events[1]!.target_id, second.id);
      assert.equal((await verifyAuditChain(store.db)).ok, true);
    } finally {
      await store.drop();
    }
  });

  test(`two publications at once get consecutive numbers and a consistent audit chain (${dialect})`, async () => {
    const store = await createTestStore(dialect);
    try {
      const clock = createManualClock('2025-03-01T00:00:00Z');
      const other = { ...v1, policy: { ...v1.policy, retention: { general: { ja: '1年間保存します。', en: 'We keep it for one year.' }, items: [] } } };
      const results = await Promise.allSettled([
        publishVersion(store, clock, { ...v1, effectiveOn: '2025-04-01', actor: 'cli' }),
        publishVersion(store, clock, { ...other, effectiveOn: '2025-04-01', actor: 'cli' }),
      ]);
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled']);
      assert.deepEqual((await listVersions(store.db)).map((v) => v.number).sort(), [1, 2]);
      assert.equal((await verifyAuditChain(store.db)).ok, true);
    } finally {
      await store.drop();
    }
  });
}
