import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parsePolicy } from '../../src/policy/load-policy.ts';
import { lintPolicy, lintPolicyReport } from '../../src/policy/lint.ts';

const base = readFileSync(new URL('../fixtures/policies/base.yaml', import.meta.url), 'utf8');

function lintSource(source: string) {
  const r = parsePolicy(source, 'policy.yaml');
  if (!r.ok) assert.fail(r.issues.map((i) => i.message).join('\n'));
  return lintPolicyReport(r.loaded);
}

const slow = (comment: string) => base.replace('      delivery: [electronic, paper]', `      delivery: [electronic, paper]\n${comment}      target_days: 45`);

test('a warning accepted with a reason on the line above is left out and counted', () => {
  const report = lintSource(slow('      # mamori-lint accept appi-37-target-days: paper archives take six weeks to search\n'));
  assert.deepEqual(report.issues, []);
  assert.deepEqual(report.accepted.map((i) => i.rule), ['appi-37-target-days']);
});

test('an acceptance without a reason, or for another rule, accepts nothing', () => {
  assert.deepEqual(lintSource(slow('      # mamori-lint accept appi-37-target-days\n')).issues.map((i) => i.rule), ['appi-37-target-days']);
  assert.deepEqual(lintSource(slow('      # mamori-lint accept appi-37-agents: not this one\n')).issues.map((i) => i.rule), ['appi-37-target-days']);
});

test('errors cannot be accepted', () => {
  const source = base.replace('    correction:\n      channels: [privacy_center]', '    correction:\n      channels: [privacy_center]\n      # mamori-lint accept appi-38-fee-kind: we want to\n      fee: { amount: 500, tax: included, payment: [card], payment_url: "https://pay.example/fee" }');
  const r = parsePolicy(source, 'policy.yaml');
  assert.ok(r.ok);
  assert.deepEqual(lintPolicy(r.loaded).map((i) => i.rule), ['appi-38-fee-kind']);
});
