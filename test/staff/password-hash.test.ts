import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatePassword, hashPassword, needsRehash, passwordProblem, verifyPassword } from '../../src/staff/password-hash.ts';

test('a scrypt hash verifies the same password and rejects any other', async () => {
  const stored = await hashPassword('correct horse battery staple');
  assert.match(stored, /^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  assert.equal(await verifyPassword('correct horse battery staple', stored), true);
  assert.equal(await verifyPassword('correct horse battery stapl', stored), false);
  assert.equal(needsRehash(stored), false);
});

test('two hashes of one password differ (random salt) and weaker parameters ask for a rehash', async () => {
  const weak = await hashPassword('same password here', { N: 1024, r: 8, p: 1 });
  assert.notEqual(weak, await hashPassword('same password here', { N: 1024, r: 8, p: 1 }));
  assert.equal(await verifyPassword('same password here', weak), true);
  assert.equal(needsRehash(weak), true);
});

test('a malformed stored hash never verifies', async () => {
  for (const bad of ['', 'plain', 'scrypt$x$8$1$aa$bb', 'bcrypt$2$8$1$aa$bb', 'scrypt$33554432$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
    assert.equal(await verifyPassword('anything', bad), false, bad);
  }
});

test('generated passwords are long, unambiguous and unique; short passwords are refused', () => {
  const a = generatePassword();
  assert.equal(a.length, 20);
  assert.doesNotMatch(a, /[0O1lI]/);
  assert.notEqual(a, generatePassword());
  assert.equal(passwordProblem(a), null);
  assert.match(passwordProblem('short') ?? '', /12 characters/);
});
