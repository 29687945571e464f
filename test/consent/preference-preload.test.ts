import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createCachedPreferenceReader } from '../../src/consent/preference-cache.ts';
import { createPreferenceReader, type PreferencePage, type PreferenceReader, type PreferenceRow } from '../../src/consent/preference-reader.ts';
import { createChangeFeed, type Change, type ChangeFeed } from '../../src/store/change-feed.ts';
import { deferred, statementsDuring } from '../support/async-kit.ts';
import { createTestStore, type TestStore } from '../support/stores.ts';

const row = (purpose: string, allowed: number, receipt: string): PreferenceRow => ({ purpose, allowed, policy_version: 'v1', receipt_id: receipt, updated_at: '2026-01-01T00:00:00.000Z' });
const turn = () => new Promise((r) => setImmediate(r));

/** A reader whose reads and pages the test answers by hand, in the order they were asked. */
function scriptedReader() {
  const reads: Array<{ subject: string; answer: ReturnType<typeof deferred<PreferenceRow[]>> }> = [];
  const pages: Array<{ after: string; answer: ReturnType<typeof deferred<PreferencePage>> }> = [];
  const inner: PreferenceReader = {
    all: (subject) => {
      const answer = deferred<PreferenceRow[]>();
      reads.push({ subject, answer });
      return answer.promise;
    },
    one: () => undefined,
    page: (after) => {
      const answer = deferred<PreferencePage>();
      pages.push({ after, answer });
      return answer.promise;
    },
    close: async () => {},
  };
  return { inner, reads, pages };
}

async function seed(store: TestStore, rows: Array<[subject: string, purpose: string, allowed: number]>): Promise<void> {
  const at = '2026-01-01T00:00:00.000Z';
  await store.db.insertInto('consent_preferences').values(rows.map(([subject, purpose, allowed], i) => ({ subject, purpose, allowed, policy_version: 'v1', method: 'api', receipt_id: `r${i}`, updated_at: at }))).execute();
}

/** The subject's rows, which must be answered from memory (not a promise). */
function held(cache: PreferenceReader, subject: string): PreferenceRow[] {
  const rows = cache.all(subject);
  assert.ok(!(rows instanceof Promise), `${subject} was not answered from memory`);
  return rows;
}

async function untilComplete(cache: { stats(): { complete: boolean } }): Promise<void> {
  for (let i = 0; i < 500 && !cache.stats().complete; i += 1) await new Promise((r) => setTimeout(r, 10));
  assert.equal(cache.stats().complete, true, 'the preload never completed');
}

test('on PostgreSQL the reader pages through the table whole subjects at a time, in the primary key\'s order', async () => {
  const store = await createTestStore('postgres');
  const reader = await createPreferenceReader(store);
  try {
    await seed(store, [['anon_a', 'ads', 1], ['anon_a', 'analytics', 0], ['anon_b', 'ads', 1], ['anon_b', 'analytics', 1], ['anon_b', 'error_reports', 0], ['anon_c', 'analytics', 1]]);
    const first = await reader.page!('', 4);
    assert.deepEqual(first.subjects.map(([s, rows]) => [s, rows.map((r) => r.purpose)]), [['anon_a', ['ads', 'analytics']]], 'anon_b, cut by the limit, is left to the next page');
    assert.equal(first.last, 'anon_a');
    const second = await reader.page!(first.last!, 5);
    assert.deepEqual(second.subjects.map(([s, rows]) => [s, rows.length]), [['anon_b', 3], ['anon_c', 1]]);
    assert.equal(second.last, undefined, 'the table ends with this page');
    const alone = await reader.page!('anon_a', 2); // anon_b alone fills the page: read whole
    assert.deepEqual(alone.subjects.map(([s, rows]) => [s, rows.map((r) => r.purpose).sort()]), [['anon_b', ['ads', 'analytics', 'error_reports']]]);
    assert.equal(alone.last, 'anon_b');
  } finally {
    await reader.close();
    await store.drop();
  }
});

test('once preloaded, decisions for subjects with rows and for subjects who never chose send no statement', async () => {
  const store = await createTestStore('postgres');
  const feed = await createChangeFeed({ dialect: 'postgres', url: store.url });
  const subjects = Array.from({ length: 300 }, (_, i) => `anon_p${String(i).padStart(4, '0')}`);
  await seed(store, subjects.map((s, i) => [s, 'analytics', i % 2]));
  const cache = createCachedPreferenceReader(await createPreferenceReader(store), feed, { maxSubjects: 1000 });
  try {
    await untilComplete(cache);
    assert.equal(cache.stats().preloaded, 300);
    let answers: PreferenceRow[][] = [];
    const sent = await statementsDuring(async () => {
      answers = ['anon_p0001', 'anon_p0002', 'anon_never'].map((s) => held(cache, s));
    });
    assert.equal(sent, 0);
    assert.deepEqual(answers.map((rows) => rows.map((r) => r.allowed)), [[1], [0], []]);
  } finally {
    await cache.close();
    await feed.close();
    await store.drop();
  }
});

test('a complete cache hears a first choice made elsewhere: asked about, it reads the database; left alone, it is read again', async () => {
  const store = await createTestStore('postgres');
  const feed = await createChangeFeed({ dialect: 'postgres', url: store.url });
  const asking = createCachedPreferenceReader(await createPreferenceReader(store), feed, { maxSubjects: 1000, refreshMs: 60_000 });
  const waiting = createCachedPreferenceReader(await createPreferenceReader(store), feed, { maxSubjects: 1000, refreshMs: 20 });
  try {
    await untilComplete(asking);
    await untilComplete(waiting);
    assert.deepEqual(held(asking, 'anon_new'), []);
    assert.deepEqual(held(waiting, 'anon_new'), []);
    // Another instance records the subject's first choice and announces it on commit.
    await store.db.transaction().execute(async (trx) => {
      await trx.insertInto('consent_preferences').values({ subject: 'anon_new', purpose: 'analytics', allowed: 1, policy_version: 'v1', method: 'api', receipt_id: 'r1', updated_at: '2026-01-01T00:00:00.000Z' }).execute();
      await feed.publish(trx, 'preferences', 'anon_new');
    });
    let seen: Pick<PreferenceRow, 'allowed'> | undefined;
    for (let i = 0; i < 500 && seen === undefined; i += 1) {
      seen = await asking.one('anon_new', 'analytics');
      if (seen === undefined) await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(seen?.allowed, 1, 'the complete cache went on answering "no choice"');
    assert.equal(asking.stats().refreshes, 0, 'read because it was asked about, not refreshed');
    for (let i = 0; i < 500 && waiting.stats().size === 0; i += 1) await new Promise((r) => setTimeout(r, 5));
    assert.equal(waiting.stats().refreshes, 1);
    for (const cache of [asking, waiting]) {
      assert.equal(cache.stats().complete, true);
      let rows: PreferenceRow[] = [];
      assert.equal(await statementsDuring(async () => (rows = held(cache, 'anon_new'))), 0, 'the new rows are held');
      assert.deepEqual(rows.map((r) => r.allowed), [1]);
    }
  } finally {
    await asking.close();
    await waiting.close();
    await feed.close();
    await store.drop();
  }
});

test('rows written by hand in SQL are heard after NOTIFY mamori_changes, \'preferences\': every instance preloads again', async () => {
  const store = await createTestStore('postgres');
  const feed = await createChangeFeed({ dialect: 'postgres', url: store.url });
  const cache = createCachedPreferenceReader(await createPreferenceReader(store), feed, { maxSubjects: 1000 });
  try {
    await untilComplete(cache);
    await seed(store, [['anon_by_hand', 'analytics', 1]]);
    assert.deepEqual(held(cache, 'anon_by_hand'), [], 'a write nobody announced is not heard (as documented)');
    const preloads = cache.stats().preloaded;
    await sql`notify mamori_changes, 'preferences'`.execute(store.db);
    for (let i = 0; i < 500 && cache.stats().preloaded === preloads; i += 1) await new Promise((r) => setTimeout(r, 10));
    await untilComplete(cache);
    assert.deepEqual(held(cache, 'anon_by_hand').map((r) => r.allowed), [1]);
  } finally {
    await cache.close();
    await feed.close();
    await store.drop();
  }
});

test('a subject changed while its page was out is not taken from that page: it is read again after the preload', async () => {
  const feed = await createChangeFeed({ dialect: 'sqlite' }); // in-process and live
  const { inner, reads, pages } = scriptedReader();
  const cache = createCachedPreferenceReader(inner, feed, { maxSubjects: 100 });
  try {
    assert.equal(pages.length, 1, 'the preload starts at once');
    feed.changedHere('preferences', 's2'); // s2 chooses while page 1 is out
    feed.changedHere('preferences', 's3'); // and s3, whose page is read after: that page is new enough
    pages[0]!.answer.resolve({ subjects: [['s1', [row('analytics', 1, 'r1')]], ['s2', [row('analytics', 0, 'old')]]], last: 's2' });
    await turn();
    assert.equal(pages[1]?.after, 's2');
    pages[1]!.answer.resolve({ subjects: [['s3', [row('analytics', 1, 'r3')]]], last: undefined });
    await turn();
    assert.equal(cache.stats().complete, true);
    assert.deepEqual(reads.map((r) => r.subject), ['s2'], 'only s2 is read again');
    const asked = cache.one('s2', 'analytics'); // asked before the read is back: the database, not the old page
    assert.ok(asked instanceof Promise, 's2 was answered from the page read before its change');
    assert.deepEqual(reads.map((r) => r.subject), ['s2', 's2']);
    for (const r of reads) r.answer.resolve([row('analytics', 1, 'new')]);
    assert.equal((await asked)?.allowed, 1);
    assert.equal(held(cache, 's2')[0]?.receipt_id, 'new', 'held after the read');
    assert.equal(held(cache, 's3')[0]?.receipt_id, 'r3');
    assert.deepEqual(held(cache, 's9'), [], 'a subject no page held has no rows, answered at once');
  } finally {
    await cache.close();
    await feed.close();
  }
});

test('a table larger than the bound is never taken as complete: a subject not held is read from the database', async () => {
  const feed = await createChangeFeed({ dialect: 'sqlite' });
  const { inner, reads, pages } = scriptedReader();
  const cache = createCachedPreferenceReader(inner, feed, { maxSubjects: 2 });
  try {
    pages[0]!.answer.resolve({ subjects: [['s1', [row('analytics', 1, 'r1')]], ['s2', [row('analytics', 1, 'r2')]], ['s3', [row('analytics', 1, 'r3')]]], last: 's3' });
    await turn();
    assert.equal(pages.length, 1, 'the preload stops when the bound is reached');
    assert.equal(cache.stats().complete, false);
    assert.equal(cache.stats().size, 2);
    const asked = cache.one('s3', 'analytics');
    assert.ok(asked instanceof Promise, 'a subject the bound left out was answered as having no rows');
    reads[0]!.answer.resolve([row('analytics', 1, 'r3')]);
    assert.equal((await asked)?.allowed, 1);
  } finally {
    await cache.close();
    await feed.close();
  }
});

/** A change feed the test drives: changes, flushes and whether it is live. */
function manualFeed() {
  const listeners = new Set<(change: Change) => void>();
  const feed: ChangeFeed & { emit(change: Change): void; live: boolean } = {
    live: true,
    publish: async () => {},
    publishMany: async () => {},
    changedHere: (topic, key) => feed.emit({ kind: 'change', topic, key: key ?? null }),
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit: (change) => {
      for (const l of listeners) l(change);
    },
    close: async () => {},
  };
  return feed;
}

test('completeness is given up when a new subject no longer fits, and after a flush until a new preload completes', async () => {
  const feed = manualFeed();
  const { inner, reads, pages } = scriptedReader();
  const cache = createCachedPreferenceReader(inner, feed, { maxSubjects: 2, refreshMs: 5 });
  try {
    pages[0]!.answer.resolve({ subjects: [['s1', [row('analytics', 1, 'r1')]], ['s2', [row('analytics', 1, 'r2')]]], last: undefined });
    await turn();
    assert.equal(cache.stats().complete, true);
    feed.changedHere('preferences', 's3'); // a third subject chooses: read again with the others changed meanwhile
    feed.changedHere('preferences', 's1');
    assert.equal(reads.length, 0, 'changed subjects gather first');
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(reads.map((r) => r.subject), ['s3', 's1']);
    reads[1]!.answer.resolve([row('analytics', 1, 'r1')]);
    reads[0]!.answer.resolve([row('analytics', 0, 'r3')]);
    await turn();
    assert.equal(cache.stats().complete, false);
    assert.equal(cache.stats().size, 2);
    const never = cache.one('s9', 'analytics');
    assert.ok(never instanceof Promise, 'no longer complete: a subject not held is read from the database');
    reads[2]!.answer.resolve([]);
    assert.equal(await never, undefined);

    // The feed loses its connection (a flush, not live): everything is forgotten and nothing preloads.
    feed.live = false;
    feed.emit({ kind: 'flush' });
    assert.equal(cache.stats().size, 0);
    assert.equal(pages.length, 1);
    // It reconnects (a flush while live): a new preload, and until it completes subjects go to the database.
    feed.live = true;
    feed.emit({ kind: 'flush' });
    assert.equal(pages.length, 2);
    const meanwhile = cache.one('s1', 'analytics');
    assert.ok(meanwhile instanceof Promise, 'answered from memory before the new preload completed');
    reads[3]!.answer.resolve([row('analytics', 0, 'r1b')]);
    assert.equal((await meanwhile)?.allowed, 0);
    pages[1]!.answer.resolve({ subjects: [['s1', [row('analytics', 1, 'old')]], ['s2', [row('analytics', 1, 'r2')]]], last: undefined });
    await turn();
    assert.equal(cache.stats().complete, true);
    assert.equal(held(cache, 's1')[0]?.receipt_id, 'r1b', 'a subject read after the page started is kept');
  } finally {
    await cache.close();
  }
});

test('a preload that fails is tried again, and a flush during a preload starts it over', async () => {
  const feed = manualFeed();
  const { inner, pages } = scriptedReader();
  const cache = createCachedPreferenceReader(inner, feed, { maxSubjects: 10, retryMs: 20 });
  try {
    pages[0]!.answer.reject(new Error('connection lost'));
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(pages.length, 2, 'tried again after retryMs');
    feed.emit({ kind: 'flush' }); // while page 2 is out
    assert.equal(pages.length, 3);
    pages[1]!.answer.resolve({ subjects: [['old', [row('analytics', 1, 'r0')]]], last: undefined });
    await turn();
    assert.equal(cache.stats().complete, false, 'the page of the earlier preload is dropped');
    assert.equal(cache.stats().size, 0);
    pages[2]!.answer.resolve({ subjects: [['s1', [row('analytics', 1, 'r1')]]], last: undefined });
    await turn();
    assert.equal(cache.stats().complete, true);
    assert.equal(cache.stats().size, 1);
  } finally {
    await cache.close();
  }
});
