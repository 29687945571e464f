import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { loadExample, assertLintsClean } from './support.ts';

describe('example: community-server (seed 001)', () => {
  const loaded = loadExample('community-server');
  const policy = loaded.policy;

  test('parses and lints clean', () => {
    assertLintsClean(loaded);
  });

  test('collects device information and cookies automatically, and inquiry details directly', () => {
    const automatic = policy.data.filter((d) => d.acquisition.some((a) => a.method === 'automatic')).map((d) => d.category);
    assert.ok(automatic.includes('device_info') && automatic.includes('cookie_id'));
    const inquiry = policy.data.filter((d) => d.subject_groups.includes('inquirers')).map((d) => d.category).sort();
    assert.deepEqual(inquiry, ['company_info', 'email', 'inquiry', 'name', 'social_accounts']);
  });

  test('uses Google Analytics and Microsoft Clarity, each with an opt-out link', () => {
    for (const catalog of ['google_analytics', 'microsoft_clarity'] as const) {
      const tool = policy.tools.find((t) => t.catalog === catalog);
      assert.ok(tool?.links?.opt_out, `${catalog} has an opt-out link`);
    }
  });

  test('offers every request kind through the contact form, free of charge', () => {
    const kinds = Object.entries(policy.requests.kinds);
    assert.equal(kinds.length, 5);
    for (const [, procedure] of kinds) {
      assert.ok(procedure?.channels.includes('contact_form'));
      assert.equal(procedure?.fee, undefined);
    }
  });

  test('may publish statistics that identify no one', () => {
    assert.equal(policy.statistics?.produces_statistics, true);
  });
});
