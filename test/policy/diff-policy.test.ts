import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadPolicyFile } from '../../src/policy/load-policy.ts';
import { diffHtml, diffPlainText, diffPolicies } from '../../src/policy/policy-diff.ts';
import type { Policy } from '../../src/policy/schema.ts';

const fixture = (name: string): Policy => {
  const r = loadPolicyFile(fileURLToPath(new URL(`../fixtures/render/${name}`, import.meta.url)));
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.loaded.policy;
};
const v1 = fixture('policy.yaml');
const v2 = fixture('policy-v2.yaml');

test('a changed purpose shows as a character-level change in the purposes section', () => {
  const diff = diffPolicies(v1, v2, { lang: 'ja' });
  const purposes = diff.sections.find((s) => s.key === 'purposes');
  assert.equal(purposes?.status, 'changed');
  assert.ok(purposes.parts.some((p) => p.kind === 'removed' && p.text === '改善'));
  assert.ok(purposes.parts.some((p) => p.kind === 'added' && p.text === '広告の効果を測定'));
  assert.match(diffPlainText(diff), /本サービスの利用状況を分析し、\[-改善-\]\{\+広告の効果を測定\+\}するため/);
});

test('English is compared word by word', () => {
  const diff = diffPolicies(v1, v2, { lang: 'en' });
  const text = diffPlainText(diff);
  assert.match(text, /how the service is used and \[-improve it-\]\{\+measure advertising\+\}/);
});

test('a removed section is marked removed and unchanged sections are listed as unchanged', () => {
  const diff = diffPolicies(v1, v2, { lang: 'ja' });
  assert.equal(diff.sections.find((s) => s.key === 'statistics')?.status, 'removed');
  assert.equal(diff.sections.find((s) => s.key === 'operator')?.status, 'unchanged');
  assert.equal(diffPolicies(v2, v1, { lang: 'ja' }).sections.find((s) => s.key === 'statistics')?.status, 'added');
  const fee = diff.sections.find((s) => s.key === 'rights');
  assert.equal(fee?.status, 'changed');
});

test('the HTML diff marks changes with ins and del and escapes policy text', () => {
  const withScript: Policy = { ...v2, purposes: v2.purposes.map((p) => (p.id === 'provide' ? { ...p, description: '<script>alert(1)</script>' } : p)) };
  const out = diffHtml(diffPolicies(v1, withScript, { lang: 'ja', fromLabel: '第1版', toLabel: '第2版' })).value;
  assert.match(out, /<del><span style="[^"]+">［削除：<\/span>改善<span style="[^"]+">］<\/span><\/del><ins><span style="[^"]+">［追加：<\/span>広告の効果を測定<span style="[^"]+">］<\/span><\/ins>/);
  assert.match(out, /<summary>変更前と変更後の全文<\/summary>/);
  assert.ok(!out.includes('<script>'));
  assert.match(out, /&lt;script&gt;/);
  assert.match(out, /第1版から第2版への変更/);
});

test('identical policies have no changed sections', () => {
  const diff = diffPolicies(v1, v1, { lang: 'ja' });
  assert.equal(diff.changedCount, 0);
  assert.ok(diff.sections.every((s) => s.status === 'unchanged'));
});
