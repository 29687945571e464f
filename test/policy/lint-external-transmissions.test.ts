import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { basePolicy, lintChanged, ruleCases } from '../fixtures/policies/policy-fixture.ts';
import type { Policy, PolicyTool } from '../../src/policy/schema.ts';
import { externalTransmissionsOf } from '../../src/policy/external-transmissions.ts';

/** An analytics purpose with one tool, and the service declared in or out of scope. */
const withTool = (tool: Partial<PolicyTool> & Pick<PolicyTool, 'id' | 'catalog'>, applies: boolean | null = true) => (p: Policy) => {
  p.purposes.push({ id: 'analyse', kind: 'analytics', description: { ja: 'アクセス状況を分析するため', en: 'To analyse traffic' }, subject_groups: ['users'], data: ['access_log'], choice: 'consent' });
  p.tools.push({ ...tool, purpose: 'analyse', self_hosted: tool.self_hosted ?? false });
  if (applies !== null) p.external_transmissions = { applies, service_kinds: applies ? ['sns'] : [], method: 'publish' };
};

describe('外部送信規律 (電気通信事業法27条の12)', () => {
  ruleCases('telecom-27-12-scope', {
    passes: [
      { name: 'a policy without outside tools', change: () => {} },
      { name: 'a declared scope', change: withTool({ id: 'ga', catalog: 'google_analytics' }, false) },
    ],
    fails: [{ name: 'outside tools and no declaration', change: withTool({ id: 'ga', catalog: 'google_analytics' }, null), at: 'tools:', says: '27条の12' }],
  });

  ruleCases('telecom-27-12-service-kind', {
    passes: [{ name: 'an SNS in scope', change: withTool({ id: 'ga', catalog: 'google_analytics' }) }],
    fails: [{ name: 'in scope without a kind', change: (p) => { withTool({ id: 'ga', catalog: 'google_analytics' })(p); p.external_transmissions!.service_kinds = []; }, at: 'applies', says: 'service_kinds' }],
  });

  ruleCases('telecom-27-12-recipient', {
    passes: [
      { name: 'a catalog tool whose provider is known', change: withTool({ id: 'ga', catalog: 'google_analytics' }) },
      { name: 'a generic ad tool out of scope', change: withTool({ id: 'ads', catalog: 'ad_delivery' }, false) },
      { name: 'a generic ad tool naming its recipient', change: withTool({ id: 'ads', catalog: 'ad_delivery', transmissions: [{ recipient: { ja: '株式会社広告', en: 'Kokoku K.K.' } }] }) },
      { name: 'a self-hosted custom tool', change: withTool({ id: 'own', catalog: 'custom', self_hosted: true }) },
    ],
    fails: [
      { name: 'the catalog\'s "ad companies" in scope', change: withTool({ id: 'ads', catalog: 'ad_delivery' }), at: '- id: ads', says: 'recipient' },
      { name: 'a custom embed without a provider', change: withTool({ id: 'player', catalog: 'custom', transmissions: [{ hosts: ['player.example'] }] }), at: 'hosts', says: 'recipient' },
    ],
  });

  ruleCases('telecom-27-12-information', {
    passes: [{ name: 'information from the catalog', change: withTool({ id: 'clarity', catalog: 'microsoft_clarity' }) }],
    fails: [{ name: 'a custom tool saying nothing of what it sends', change: withTool({ id: 'player', catalog: 'custom', provider: 'Player Inc.' }), at: '- id: player', says: 'information sent' }],
  });

  ruleCases('telecom-27-12-purpose', {
    passes: [{ name: 'the purpose of the policy the tool serves', change: withTool({ id: 'ga', catalog: 'google_analytics' }) }],
    fails: [{ name: 'a tool pointing at no declared purpose', change: (p) => { withTool({ id: 'ga', catalog: 'google_analytics' })(p); p.tools.at(-1)!.purpose = 'missing'; }, at: '- id: ga', says: 'purpose' }],
  });

  ruleCases('telecom-27-12-opt-out-route', {
    passes: [{ name: 'Google Analytics as an opt-out (the catalog has the add-on URL)', change: withTool({ id: 'ga', catalog: 'google_analytics', choice: 'opt_out' }) }],
    fails: [
      { name: 'Clarity as an opt-out without a URL', change: (p) => { withTool({ id: 'clarity', catalog: 'microsoft_clarity', choice: 'opt_out' })(p); p.purposes.at(-1)!.choice = 'opt_out'; }, at: '- id: clarity', says: 'opt_out' },
    ],
  });

  ruleCases('telecom-27-12-route-weaker', {
    passes: [{ name: 'a consent route for a consent purpose', change: withTool({ id: 'ga', catalog: 'google_analytics', transmissions: [{ route: { kind: 'consent' } }] }) }],
    fails: [{ name: 'a "notice only" route for a purpose that needs consent', change: withTool({ id: 'ga', catalog: 'google_analytics', transmissions: [{ route: { kind: 'notice' } }] }), at: 'route', says: 'asked for consent' }],
  });

  test('out of scope, nothing is required, even of a tool that names no one', () => {
    const { issues } = lintChanged(withTool({ id: 'player', catalog: 'custom' }, false));
    assert.deepEqual(issues.filter((i) => i.rule.startsWith('telecom-')).map((i) => i.rule), []);
  });

  test('items default from the catalog and the policy purpose; the policy overrides them', () => {
    const p = basePolicy();
    withTool({ id: 'ga', catalog: 'google_analytics', transmissions: [{ recipient: 'Google LLC（米国）' }, { hosts: ['collect.example'], information: ['閲覧ページ'] }] })(p);
    const [first, second] = externalTransmissionsOf(p).transmissions;
    assert.equal(first?.id, 'ga#1');
    assert.equal(first?.recipient?.ja, 'Google LLC（米国）');
    assert.equal(first?.purpose?.ja, 'アクセス状況を分析するため');
    assert.ok(first?.hosts.includes('www.google-analytics.com'));
    assert.equal(first?.route.kind, 'consent');
    assert.deepEqual(second?.hosts, ['collect.example']);
    assert.deepEqual(second?.information, [{ ja: '閲覧ページ', en: '閲覧ページ' }]);
    assert.equal(second?.recipient?.en, 'Google LLC');
  });
});
