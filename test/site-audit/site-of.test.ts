import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathWithoutValues, siteOf } from '../../src/site-audit/site-of.ts';

test('groups hosts into sites the way browsers do for the suffixes Japanese services use', () => {
  assert.equal(siteOf('www.example.co.jp'), 'example.co.jp');
  assert.equal(siteOf('a.b.example.com'), 'example.com');
  assert.equal(siteOf('city.tokyo.jp'), 'city.tokyo.jp');
  assert.equal(siteOf('shop.tokyo.jp'), 'shop.tokyo.jp');
  assert.equal(siteOf('127.0.0.2'), '127.0.0.2');
  assert.equal(siteOf('localhost'), 'localhost');
  assert.equal(siteOf('privacy.shop.test'), 'shop.test');
});

test('keeps query keys and drops their values, so a report holds no identifiers', () => {
  assert.equal(pathWithoutValues(new URL('https://x.example/collect?cid=123.456&tid=G-1&tid=G-2')), '/collect?cid=&tid=&tid=');
  assert.equal(pathWithoutValues(new URL('https://x.example/a/b')), '/a/b');
});
