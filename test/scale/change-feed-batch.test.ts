import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createChangeFeed, parsePayload, payloadsOf, type Change } from '../../src/store/change-feed.ts';
import { createTestStore } from '../support/stores.ts';
import { waitUntil } from './scale-kit.ts';

// Subject ids are any printable text up to 200 characters: quotes, backslashes, commas, braces and multibyte text
// must come through the array parameter and the newline-joined payload unchanged.
const odd = ['u_"quoted"', 'u_back\\slash', 'u_a,b', 'u_{braces}', 'u_利用者', 'u_ space', `u_${'é'.repeat(190)}`];

test('a batch of keys is cut into NOTIFY-sized payloads that parse back to the same keys', () => {
  const keys = [...odd, ...Array.from({ length: 500 }, (_, i) => `u_${String(i).padStart(40, '0')}`)];
  const payloads = payloadsOf('preferences', [...keys, keys[0]!]);
  assert.ok(payloads.length > 1, 'more than 8000 bytes of keys need several payloads');
  for (const p of payloads) assert.ok(Buffer.byteLength(p) < 8000, `payload of ${Buffer.byteLength(p)} bytes`);
  const parsed = payloads.flatMap(parsePayload);
  assert.deepEqual(parsed.map((c) => (c.kind === 'change' ? c.key : null)), keys, 'every key once, in order');
  assert.deepEqual(payloadsOf('preferences', []), []);
  // The single-key and keyless forms of earlier versions still parse; an unknown topic means "forget everything".
  assert.deepEqual(parsePayload('preferences:u_1'), [{ kind: 'change', topic: 'preferences', key: 'u_1' }]);
  assert.deepEqual(parsePayload('config'), [{ kind: 'change', topic: 'config', key: null }]);
  assert.deepEqual(parsePayload('nonsense:x'), [{ kind: 'flush' }]);
});

test('on PostgreSQL, a batch published in one transaction reaches another listener as every key, after commit only', async () => {
  const store = await createTestStore('postgres');
  const publisher = await createChangeFeed({ dialect: 'postgres', url: store.url });
  const listener = await createChangeFeed({ dialect: 'postgres', url: store.url });
  const heard: Change[] = [];
  listener.subscribe((c) => heard.push(c));
  try {
    const keys = [...odd, ...Array.from({ length: 300 }, (_, i) => `anon_${String(i).padStart(30, 'x')}`)];
    // A rolled-back batch announces nothing.
    await store.db.transaction().execute(async (trx) => {
      await publisher.publishMany(trx, 'preferences', ['u_rolled_back']);
      throw new Error('roll back');
    }).catch(() => undefined);
    await store.db.transaction().execute((trx) => publisher.publishMany(trx, 'preferences', keys));
    const keysHeard = () => heard.flatMap((c) => (c.kind === 'change' && c.topic === 'preferences' ? [c.key] : []));
    assert.notEqual(await waitUntil(async () => keysHeard().length >= keys.length, 5000), null, `heard ${keysHeard().length} of ${keys.length}`);
    assert.deepEqual(new Set(keysHeard()), new Set(keys));
    assert.equal(keysHeard().length, keys.length);
    assert.ok(!keysHeard().includes('u_rolled_back'));
  } finally {
    await listener.close();
    await publisher.close();
    await store.drop();
  }
});
