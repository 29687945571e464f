import { test } from 'node:test';
import assert from 'node:assert/strict';
import { etagMatches, etagOf } from '../../src/http/etag.ts';

test('etagOf is stable for a body and differs between bodies', () => {
  assert.equal(etagOf('a'), etagOf('a'));
  assert.notEqual(etagOf('a'), etagOf('b'));
  assert.match(etagOf('a'), /^"[A-Za-z0-9_-]{16}"$/);
});

test('etagMatches reads If-None-Match lists, weak tags and *', () => {
  const tag = etagOf('body');
  assert.equal(etagMatches(undefined, tag), false);
  assert.equal(etagMatches(tag, tag), true);
  assert.equal(etagMatches(`W/${tag}`, tag), true);
  assert.equal(etagMatches(`"x", ${tag}`, tag), true);
  assert.equal(etagMatches('*', tag), true);
  assert.equal(etagMatches('"x", "y"', tag), false);
  assert.equal(etagMatches('', tag), false);
});
