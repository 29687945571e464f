import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coalescedLoads } from '../../src/consent/coalesced-loads.ts';
import { createCachedPreferenceReader } from '../../src/consent/preference-cache.ts';
import { createPreferenceReader, type CurrentChoice, type PreferenceReader, type PreferenceRow } from '../../src/consent/preference-reader.ts';
import { createChangeFeed } from '../../src/store/change-feed.ts';
import { deferred, statementsDuring } from '../support/async-kit.ts';
import { createTestStore } from '../support/stores.ts';

/** A loadMany whose batches are recorded and answered by the test. */
function recordingLoader() {
  const batches: Array<{ keys: string[]; answer: ReturnType<typeof deferred<Map<string, string>>> }> = [];
  const loadMany = (keys: string[]) => {
    const answer = deferred<Map<string, string>>();
    batches.push({ keys, answer });
    return answer.promise;
  };
  return { batches, loadMany };
}

const turn = () => new Promise((r) => setImmediate(r));

test('keys asked for in the same turn are loaded in one batch, each caller getting its own key\'s value', async () => {
  const { batches, loadMany } = recordingLoader();
  const load = coalescedLoads(loadMany, { maxInFlight: 2, maxBatch: 100 });
  const asked = [load('a'), load('b'), load('a'), load('c')];
  await turn();
  assert.deepEqual(batches.map((b) => b.keys), [['a', 'b', 'c']]);
  batches[0]!.answer.resolve(new Map([['a', 'A'], ['b', 'B']]));
  assert.deepEqual(await Promise.all(asked), ['A', 'B', 'A', undefined]);
});

test('a key asked for while its batch is in flight waits for the next batch, which starts after it was asked', async () => {
  const { batches, loadMany } = recordingLoader();
  const load = coalescedLoads(loadMany, { maxInFlight: 2, maxBatch: 100 });
  const first = load('a');
  await turn();
  const second = load('a'); // the database may have changed since the first batch's statement started
  await turn();
  assert.deepEqual(batches.map((b) => b.keys), [['a'], ['a']]);
  batches[1]!.answer.resolve(new Map([['a', 'new']]));
  batches[0]!.answer.resolve(new Map([['a', 'old']]));
  assert.deepEqual([await first, await second], ['old', 'new']);
});

test('keys asked for while every batch slot is busy go together in the next batch; a failed batch fails only its callers', async () => {
  const { batches, loadMany } = recordingLoader();
  const load = coalescedLoads(loadMany, { maxInFlight: 1, maxBatch: 2 });
  const a = load('a');
  await turn();
  const rest = [load('b'), load('c'), load('d')];
  await turn();
  assert.equal(batches.length, 1, 'no second batch while the only slot is busy');
  batches[0]!.answer.reject(new Error('connection lost'));
  await assert.rejects(a, /connection lost/);
  await turn();
  assert.deepEqual(batches.map((b) => b.keys), [['a'], ['b', 'c']], 'the waiting keys, at most maxBatch of them');
  batches[1]!.answer.resolve(new Map([['b', 'B'], ['c', 'C']]));
  await turn(); // the batch's callbacks schedule the next one
  await turn();
  assert.deepEqual(batches[2]?.keys, ['d']);
  batches[2]!.answer.resolve(new Map([['d', 'D']]));
  assert.deepEqual(await Promise.all(rest), ['B', 'C', 'D']);
});

const row = (purpose: string, allowed: number, receipt: string): PreferenceRow => ({ purpose, allowed, policy_version: 'v1', receipt_id: receipt, updated_at: '2026-01-01T00:00:00.000Z' });

test('a change heard while a miss is being read is not lost: the read answers, but the next ask reads again', async () => {
  const feed = await createChangeFeed({ dialect: 'sqlite' }); // in-process and live
  const reads: Array<ReturnType<typeof deferred<PreferenceRow[]>>> = [];
  const inner: PreferenceReader = {
    all: () => {
      const d = deferred<PreferenceRow[]>();
      reads.push(d);
      return d.promise;
    },
    one: () => undefined,
    close: async () => {},
  };
  const cache = createCachedPreferenceReader(inner, feed);
  try {
    // Without a change in between, the second ask is answered from memory (so the check below can fail).
    const calm = cache.all('calm');
    reads[0]!.resolve([row('analytics', 0, 'r0')]);
    await calm;
    assert.deepEqual(await cache.all('calm'), [row('analytics', 0, 'r0')]);
    assert.equal(reads.length, 1);

    const during = cache.all('s');
    feed.changedHere('preferences', 's'); // the choice commits while the read is out
    reads[1]!.resolve([row('analytics', 0, 'r1')]); // the read saw the row before the change
    assert.deepEqual(await during, [row('analytics', 0, 'r1')]);
    const next = cache.all('s');
    assert.equal(reads.length, 3, 'the row read before the change was remembered');
    reads[2]!.resolve([row('analytics', 1, 'r2')]);
    assert.deepEqual(await next, [row('analytics', 1, 'r2')]);
  } finally {
    await cache.close();
    await feed.close();
  }
});

test('on PostgreSQL, misses asked for together are one statement, and each subject gets its own rows', async () => {
  const store = await createTestStore('postgres');
  const reader = await createPreferenceReader(store);
  try {
    const at = '2026-01-01T00:00:00.000Z';
    await store.db.insertInto('consent_preferences').values([
      { subject: 'anon_a', purpose: 'analytics', allowed: 1, policy_version: 'v1', method: 'api', receipt_id: 'r1', updated_at: at },
      { subject: 'anon_a', purpose: 'ads', allowed: 0, policy_version: 'v1', method: 'api', receipt_id: 'r1', updated_at: at },
      { subject: 'anon_b', purpose: 'analytics', allowed: 0, policy_version: 'v2', method: 'api', receipt_id: 'r2', updated_at: at },
    ]).execute();
    await reader.all('anon_warm'); // the pool's first connection
    let answers: [PreferenceRow[], PreferenceRow[], PreferenceRow[], CurrentChoice | undefined] | undefined;
    const statements = await statementsDuring(async () => {
      answers = await Promise.all([reader.all('anon_a'), reader.all('anon_b'), reader.all('anon_c'), reader.one('anon_a', 'ads')]);
    });
    assert.equal(statements, 1);
    const [a, b, c, ads] = answers!;
    assert.deepEqual(a.map((r) => [r.purpose, r.allowed, r.receipt_id]).sort(), [['ads', 0, 'r1'], ['analytics', 1, 'r1']]);
    assert.deepEqual(b, [{ purpose: 'analytics', allowed: 0, policy_version: 'v2', receipt_id: 'r2', updated_at: at }]);
    assert.deepEqual(c, []);
    assert.deepEqual(ads, { purpose: 'ads', allowed: 0, policy_version: 'v1', receipt_id: 'r1', updated_at: at });
  } finally {
    await reader.close();
    await store.drop();
  }
});
