import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createManualClock } from '../../src/clock.ts';
import { MamoriError } from '../../src/errors.ts';
import { anonymizeCsv, anonymizedRecipientNotice, listAnonymizationJobs, recordAnonymizationJob } from '../../src/records/anonymization-job.ts';
import { computeStatistics, statisticsCsv, suppress } from '../../src/records/statistics.ts';
import { recordProvision } from '../../src/records/provision-records.ts';
import { parseCsv } from '../../src/records/csv.ts';
import { createTestStore } from '../support/stores.ts';

const codeOf = (err: unknown) => (err instanceof MamoriError ? err.code : String(err));

const config = {
  name: '年代別利用状況',
  dataset: 'members.csv',
  k: 2,
  columns: [
    { name: 'email', role: 'identifier' },
    { name: 'user_id', role: 'linking_code' },
    { name: 'age', role: 'quasi_identifier', transform: { kind: 'bucket', width: 10 }, label: { ja: '年代', en: 'Age group' } },
    { name: 'zip', role: 'quasi_identifier', transform: { kind: 'prefix', length: 3 }, label: { ja: '郵便番号（上3桁）', en: 'Postcode (first 3 digits)' } },
    { name: 'logins', role: 'attribute', transform: { kind: 'top_code', max: 100 }, label: { ja: 'ログイン回数', en: 'Logins' } },
  ],
};
const csv = [
  'email,user_id,age,zip,logins',
  'a@example.jp,1,31,150-0001,12',
  'b@example.jp,2,35,150-0042,250',
  '"c,quoted@example.jp",3,38,150-0011,7',
  'd@example.jp,4,52,060-0001,3',
].join('\n');

describe('匿名加工情報 jobs', () => {
  test('drops identifiers, generalizes, top-codes and suppresses classes under k', () => {
    const r = anonymizeCsv(csv, config);
    assert.deepEqual(r.header, ['age', 'zip', 'logins']);
    assert.deepEqual(r.rows, [['30-39', '150', '12'], ['30-39', '150', '100+'], ['30-39', '150', '7']]);
    assert.equal(r.suppressedRows, 1);
    assert.deepEqual(parseCsv(r.csv), [r.header, ...r.rows]);
    assert.doesNotMatch(r.csv, /example\.jp/);
  });
  test('refuses a configuration that keeps an identifier, and input with an unclassified column', () => {
    assert.throws(() => anonymizeCsv(csv, { ...config, columns: config.columns.map((c) => (c.name === 'email' ? { ...c, transform: { kind: 'keep' } } : c)) }), (err) => codeOf(err) === 'MAMORI_ANONYMIZATION_CONFIG_INVALID');
    assert.throws(() => anonymizeCsv(`${csv.split('\n')[0]},phone\n`, config), (err) => codeOf(err) === 'MAMORI_ANONYMIZATION_INPUT_INVALID' && /phone/.test((err as Error).message));
    assert.throws(() => anonymizeCsv(csv, { ...config, k: 1 }), (err) => codeOf(err) === 'MAMORI_ANONYMIZATION_CONFIG_INVALID');
  });
  test('a recorded job publishes its items and records the provision with the 匿名加工情報 notice', async () => {
    const store = await createTestStore('sqlite');
    const clock = createManualClock('2026-04-01T03:00:00Z');
    try {
      const r = anonymizeCsv(csv, config);
      const { job, provision } = await recordAnonymizationJob(store.db, clock, 'cli', { config: { ...config, k: 2, columns: [] }, result: r, recipient: { name: '研究パートナー株式会社' } });
      assert.equal(provision?.basis, 'anonymized');
      assert.equal(provision?.anonymizedNoticeGiven, true);
      assert.equal(provision?.required, false);
      const published = await listAnonymizationJobs(store.db, { publishedOnly: true });
      assert.deepEqual(published.map((j) => [j.id, j.items.map((i) => i.label.ja)]), [[job.id, ['年代', '郵便番号（上3桁）', 'ログイン回数']]]);
      assert.match(anonymizedRecipientNotice('見本株式会社', job), /匿名加工情報/);
    } finally {
      await store.drop();
    }
  });
});

describe('statistics with k-suppression', () => {
  test('suppresses counts under k but keeps zero', () => {
    assert.equal(suppress(9, 10), null);
    assert.equal(suppress(10, 10), 10);
    assert.equal(suppress(0, 10), 0);
  });
  test('suppresses small request and consent cells and writes them as <k in CSV', async () => {
    const store = await createTestStore('sqlite');
    const clock = createManualClock('2026-04-01T03:00:00Z');
    try {
      // Stand-ins for the requests and consent domains' tables when their migrations are not present in this tree.
      const hasRequests = (await sql<{ n: number }>`select count(*) as n from sqlite_master where name = 'requests'`.execute(store.db)).rows[0]?.n;
      if (!hasRequests) await sql`create table requests (id text, kind text, state text, created_at text, closed_at text, decision_json text)`.execute(store.db);
      const hasPrefs = (await sql<{ n: number }>`select count(*) as n from sqlite_master where name = 'consent_preferences'`.execute(store.db)).rows[0]?.n;
      if (!hasPrefs) await sql`create table consent_preferences (subject text, purpose text, allowed integer)`.execute(store.db);
      const reqCols = (await sql<{ name: string }>`select name from pragma_table_info('requests')`.execute(store.db)).rows.map((r) => r.name);
      const insertRequest = async (i: number, kind: string, outcome: string | null, days: number | null) => {
        const values: Record<string, unknown> = { id: `r${kind}${i}`, kind, state: days === null ? 'in_progress' : 'closed', created_at: '2026-03-01T00:00:00.000Z', closed_at: days === null ? null : new Date(Date.parse('2026-03-01T00:00:00Z') + days * 86_400_000).toISOString(), decision_json: outcome ? JSON.stringify({ outcome }) : null };
        const cols = Object.keys(values).filter((c) => reqCols.includes(c));
        await sql`insert into requests (${sql.join(cols.map((c) => sql.ref(c)))}) values (${sql.join(cols.map((c) => values[c]))})`.execute(store.db).catch(() => undefined);
      };
      if (!hasRequests) {
        for (let i = 0; i < 12; i++) await insertRequest(i, 'disclosure', i < 11 ? 'full' : 'refused', i + 1);
        for (let i = 0; i < 3; i++) await insertRequest(i, 'correction', 'full', 2);
        const s = await computeStatistics(store.db, { k: 10 });
        const disclosure = s.requests.find((r) => r.kind === 'disclosure');
        assert.equal(disclosure?.total, 12);
        assert.equal(disclosure?.outcomes.full, 11);
        assert.equal(disclosure?.outcomes.refused, null);
        assert.equal(disclosure?.medianDaysToClose, 6.5);
        const correction = s.requests.find((r) => r.kind === 'correction');
        assert.equal(correction?.total, null);
        assert.equal(correction?.medianDaysToClose, null);
        assert.match(statisticsCsv(s), /requests,disclosure,outcome_refused,<10/);
      }
      if (!hasPrefs) {
        for (let i = 0; i < 15; i++) await sql`insert into consent_preferences (subject, purpose, allowed) values (${`s${i}`}, 'analytics', ${i < 12 ? 1 : 0})`.execute(store.db);
        const s = await computeStatistics(store.db, { k: 10 });
        assert.deepEqual(s.consent, [{ purpose: 'analytics', subjects: 15, allowed: 12, rate: null }]);
      }
      await recordProvision(store.db, clock, 'cli', { basis: 'consent', providedOn: '2026-04-01', recipient: { name: 'X' }, subjects: ['a', 'b'], dataItems: ['氏名'], consentProof: 'form v1' }, 'cli');
      const s = await computeStatistics(store.db, { k: 10 });
      assert.deepEqual(s.provisions, [{ basis: 'consent', records: 1, people: null }]);
    } finally {
      await store.drop();
    }
  });
});
