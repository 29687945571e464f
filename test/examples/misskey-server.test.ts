import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { loadExample, assertLintsClean } from './support.ts';

describe('example: misskey-server (seed 000)', () => {
  const loaded = loadExample('misskey-server');
  const policy = loaded.policy;

  test('parses and lints clean', () => {
    // The seed's own correction cases are kept as operator grounds, which lint flags for review by design.
    assertLintsClean(loaded, ['appi-37-operator-grounds']);
  });

  test('is run by an individual, with the APPI items the seed lacked filled in', () => {
    assert.equal(policy.operator.kind, 'individual');
    assert.ok(policy.operator.address && policy.operator.representative);
    assert.ok((policy.operator.complaint_contacts ?? []).length > 0);
  });

  test('charges ¥1,500 per disclosure request and nothing for the other kinds', () => {
    const kinds = policy.requests.kinds;
    assert.deepEqual(Object.keys(kinds).sort(), ['correction', 'disclosure', 'purpose_notice', 'stop_provision', 'suspension']);
    assert.equal(kinds.disclosure?.fee?.amount, 1500);
    assert.equal(kinds.disclosure?.fee?.unit, 'per_request');
    for (const kind of ['correction', 'suspension', 'stop_provision'] as const) assert.equal(kinds[kind]?.fee, undefined);
  });

  test('uses Cloudflare Web Analytics and a self-hosted Sentry the user can opt out of', () => {
    const cloudflare = policy.tools.find((t) => t.catalog === 'cloudflare_web_analytics');
    const sentry = policy.tools.find((t) => t.catalog === 'sentry');
    assert.ok(cloudflare);
    assert.equal(sentry?.self_hosted, true);
    assert.equal(sentry?.choice, 'opt_out');
    assert.equal(sentry?.collects?.length, 3);
  });

  test('lets users publish their birthdate by their own choice', () => {
    assert.equal(policy.data.find((d) => d.category === 'birthdate')?.published_by_user, true);
  });

  test('keeps the revision history of the seed', () => {
    assert.deepEqual(policy.history.map((h) => [h.date, h.kind]), [['2023-01-12', 'established'], ['2024-10-01', 'revised']]);
  });
});
