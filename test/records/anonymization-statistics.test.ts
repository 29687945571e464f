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
  test('the requests and consent tables still have the columns statistics read', async () => {
    const store = await createTestStore('sqlite');
    try {
      const cols = async (t: string) => (await sql<{ name: string }>`select name from pragma_table_info(${t})`.execute(store.db)).rows.map((r) => r.name);
      const req = await cols('requests');
      if (req.length > 0) for (const c of ['kind', 'state', 'created_at', 'closed_at', 'decision_json']) assert.ok(req.includes(c), `requests.${c}`);
      const pref = await cols('consent_preferences');
      if (pref.length > 0) for (const c of ['purpose', 'allowed']) assert.ok(pref.includes(c), `consent_preferences.${c}`);
    } finally {
      await store.drop();
    }
  });

  test('suppresses small request and consent cells and writes them as <k in CSV', async () => {
    const store = await createTestStore('sqlite');
    const clock = createManualClock('2026-04-01T03:00:00Z');
    try {
      // Minimal stand-ins with exactly the columns statistics read (the test above guards against drift).
      await sql`pragma foreign_keys = off`.execute(store.db);
      const tables = (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and (name like 'request%' or name = 'consent_preferences')`.execute(store.db)).rows.map((r) => r.name);
      for (const t of tables) await sql`drop table ${sql.table(t)}`.execute(store.db);
      await sql`create table requests (id text, kind text, state text, created_at text, closed_at text, decision_json text)`.execute(store.db);
      await sql`create table consent_preferences (subject text, purpose text, allowed integer)`.execute(store.db);
      const insertRequest = async (id: string, kind: string, outcome: string | null, days: number | null) => {
        const closed = days === null ? null : new Date(Date.parse('2026-03-01T00:00:00Z') + days * 86_400_000).toISOString();
        await sql`insert into requests (id, kind, state, created_at, closed_at, decision_json) values (${id}, ${kind}, ${days === null ? 'in_progress' : 'closed'}, ${'2026-03-01T00:00:00.000Z'}, ${closed}, ${outcome ? JSON.stringify({ outcome }) : null})`.execute(store.db);
      };
      for (let i = 0; i < 12; i++) await insertRequest(`d${i}`, 'disclosure', i < 11 ? 'full' : 'refused', i + 1);
      for (let i = 0; i < 3; i++) await insertRequest(`c${i}`, 'correction', 'full', 2);
      for (let i = 0; i < 15; i++) await sql`insert into consent_preferences (subject, purpose, allowed) values (${`s${i}`}, 'analytics', ${i < 12 ? 1 : 0})`.execute(store.db);
      await recordProvision(store.db, clock, 'cli', { basis: 'consent', providedOn: '2026-04-01', recipient: { name: 'X' }, subjects: ['a', 'b'], dataItems: ['氏名'], consentProof: 'form v1' }, 'cli');

      const s = await computeStatistics(store.db, { k: 10 });
      const disclosure = s.requests.find((r) => r.kind === 'disclosure');
      assert.equal(disclosure?.total, 12);
      assert.equal(disclosure?.outcomes.full, 11);
      assert.equal(disclosure?.outcomes.refused, null);
      assert.equal(disclosure?.outcomes.withdrawn, 0);
      assert.equal(disclosure?.medianDaysToClose, 6.5);
      const correction = s.requests.find((r) => r.kind === 'correction');
      assert.equal(correction?.total, null);
      assert.equal(correction?.medianDaysToClose, null);
      // 3 denials would be revealed by a rate: it is suppressed too.
      assert.deepEqual(s.consent, [{ purpose: 'analytics', subjects: 15, allowed: 12, rate: null }]);
      assert.deepEqual(s.provisions, [{ basis: 'consent', records: 1, people: null }]);
      const csvText = statisticsCsv(s);
      assert.match(csvText, /requests,disclosure,outcome_refused,<10/);
      assert.match(csvText, /requests,disclosure,total,12/);
      const k3 = await computeStatistics(store.db, { k: 3 });
      assert.equal(k3.consent[0]?.rate, 80);
      assert.equal(k3.requests.find((r) => r.kind === 'correction')?.total, 3);
    } finally {
      await store.drop();
    }
  });

  test('statistics run on PostgreSQL with and without a date range', async () => {
    const store = await createTestStore('postgres');
    const clock = createManualClock('2026-04-01T03:00:00Z');
    try {
      await recordProvision(store.db, clock, 'cli', { basis: 'consent', providedOn: '2026-04-01', recipient: { name: 'X' }, subjectDescription: '会員全員', subjectCount: 40, dataItems: ['氏名'], consentProof: 'form v1' }, 'cli');
      const all = await computeStatistics(store.db, { k: 10 });
      assert.deepEqual(all.provisions, [{ basis: 'consent', records: 1, people: 40 }]);
      const none = await computeStatistics(store.db, { k: 10, from: '2027-01-01T00:00:00Z', to: '2028-01-01T00:00:00Z' });
      assert.deepEqual(none.provisions, []);
      assert.deepEqual(none.requests, []);
    } finally {
      await store.drop();
    }
  });
});
