import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parsePolicy, didYouMean } from '../../src/policy/load-policy.ts';

const base = readFileSync(new URL('../fixtures/policies/base.yaml', import.meta.url), 'utf8');

/** Parses a changed copy of base.yaml; expects exactly one issue and returns it with the text of its line. */
function oneIssue(source: string) {
  const r = parsePolicy(source, 'policy.yaml');
  assert.equal(r.ok, false, 'expected the policy to be refused');
  if (r.ok) throw new Error('unreachable');
  assert.equal(r.issues.length, 1, r.issues.map((i) => i.message).join('\n'));
  const issue = r.issues[0];
  assert.ok(issue);
  return { ...issue, lineText: source.split('\n')[issue.line - 1] ?? '' };
}

function replaceOnce(from: string, to: string): string {
  assert.ok(base.includes(from), `base.yaml lacks ${from}`);
  return base.replace(from, to);
}

describe('policy load errors name the line and the fix', () => {
  test('the base fixture loads', () => {
    assert.equal(parsePolicy(base, 'policy.yaml').ok, true);
  });

  test('a misspelled key points at the key and suggests the right one', () => {
    const i = oneIssue(replaceOnce('  representative: {', '  represenative: {'));
    assert.equal(i.rule, 'schema');
    assert.equal(i.col, 3);
    assert.match(i.lineText, /^ {2}represenative:/);
    assert.equal(i.message, 'unknown key "represenative" in operator: did you mean "representative"?');
  });

  test('an unknown key with no close match lists the allowed keys', () => {
    const i = oneIssue(`${base}cookie_banner: true\n`);
    assert.match(i.lineText, /^cookie_banner/);
    assert.match(i.message, /unknown key "cookie_banner" in \(top level\): allowed keys here: mamori, service, operator,/);
  });

  test('a misspelled enum value suggests the closest value', () => {
    const i = oneIssue(replaceOnce('acquisition: [{ method: automatic }]', 'acquisition: [{ method: automatc }]'));
    assert.match(i.lineText, /automatc/);
    assert.match(i.message, /data\[1\]\.acquisition\[0\]\.method must be one of: "direct", "automatic", .* \(did you mean "automatic"\?\)/);
  });

  test('a missing required text says to add it', () => {
    const i = oneIssue(replaceOnce('  name: { ja: 株式会社テスト, en: Test K.K. }\n', ''));
    assert.match(i.lineText, /^operator:/);
    assert.equal(i.message, 'operator.name is required: add it (text, or { ja: …, en: … })');
  });

  test('a text object without its English half says which half to add', () => {
    const i = oneIssue(replaceOnce('name: { ja: 利用者, en: Users }', 'name: { ja: 利用者 }'));
    assert.match(i.lineText, /name: \{ ja: 利用者 \}/);
    assert.match(i.message, /subject_groups\[0\]\.name .*: add en$/);
  });

  test('an unquoted comma inside a { ja, en } text gets a quoting hint', () => {
    const i = oneIssue(replaceOnce('en: We control access. }', 'en: We control access, always. }'));
    assert.match(i.message, /put the text in quotes/);
  });

  test('a date that does not exist, and a date in the wrong format, each get one message', () => {
    const missing = oneIssue(replaceOnce('2025-10-01', '2025-02-30'));
    assert.match(missing.lineText, /2025-02-30/);
    assert.equal(missing.message, 'history[1].date: this date does not exist on the calendar');
    const format = oneIssue(replaceOnce('2025-10-01', '2025/10/01'));
    assert.equal(format.message, 'history[1].date: write the date as YYYY-MM-DD, e.g. 2024-10-01');
  });

  test('a wrong type names the expected type', () => {
    const i = oneIssue(replaceOnce('      delivery: [electronic, paper]', '      delivery: [electronic, paper]\n      target_days: ten'));
    assert.match(i.lineText, /target_days: ten/);
    assert.equal(i.message, 'requests.kinds.disclosure.target_days must be a number');
  });

  test('a fee must state its amount and at least one way to pay (32条1項3号, 38条)', () => {
    const noAmount = oneIssue(replaceOnce('amount: 1000, ', ''));
    assert.equal(noAmount.message, 'requests.kinds.disclosure.fee.amount is required: add it (a number)');
    const noPayment = oneIssue(replaceOnce('payment: [bank_transfer]', 'payment: []'));
    assert.match(noPayment.lineText, /payment: \[\]/);
    assert.equal(noPayment.message, 'requests.kinds.disclosure.fee.payment needs at least 1 entry (from: bank_transfer, card, postal_money_order, convenience_store, cash_on_site)');
  });

  test('joint use must carry every 27条5項3号 item, the responsible party\'s address included', () => {
    const i = oneIssue(`${base}provision:\n  joint_use:\n    - id: group\n      data: [email]\n      users_scope: 当社グループ各社\n      purposes: サービスのご案内\n      responsible: { name: 株式会社テスト, representative: 代表取締役 山田太郎 }\n`);
    assert.match(i.lineText, /responsible:/);
    assert.equal(i.message, 'provision.joint_use[0].responsible.address is required: add it (text, or { ja: …, en: … })');
  });

  test('an opt-out provision must carry the 27条2項 items and a PPC filing', () => {
    const i = oneIssue(`${base}provision:\n  opt_out:\n    data: [email]\n    recipients: 提携先\n    acquisition: 登録時に取得\n    method: 電子ファイル\n    stop_request_contacts: [privacy_desk]\n    update_method: 毎月\n    start_date: 2025-06-01\n`);
    assert.equal(i.message, 'provision.opt_out.ppc_filing is required: add it (a mapping of keys)');
  });

  test('an id that is not snake_case suggests the snake_case form', () => {
    const i = oneIssue(replaceOnce('channels: [privacy_center, head_office]', 'channels: [privacy-center, head_office]'));
    assert.match(i.message, /\(did you mean "privacy_center"\?\)$/);
  });

  test('YAML syntax errors and duplicate keys are located', () => {
    const dup = oneIssue(replaceOnce('  kind: corporation', '  kind: corporation\n  kind: individual'));
    assert.equal(dup.rule, 'yaml');
    assert.match(dup.lineText, /kind: (corporation|individual)/);
    assert.match(dup.message, /Map keys must be unique \("kind" appears twice in this mapping: keep one, or merge the two\)/);
  });

  test('an empty file points to mamori init', () => {
    const i = oneIssue('');
    assert.equal(i.message, 'the file is empty: start from `mamori init`, which writes a commented starter policy');
    const wrongVersion = oneIssue(replaceOnce('mamori: 1', 'mamori: 2'));
    assert.match(wrongVersion.message, /set `mamori: 1`/);
  });

  test('didYouMean only suggests close words', () => {
    assert.equal(didYouMean('adress', ['address', 'name']), 'address');
    assert.equal(didYouMean('emial', ['email', 'phone']), 'email');
    assert.equal(didYouMean('cookie_banner', ['cookies', 'tools']), undefined);
    assert.equal(didYouMean('email', ['email']), undefined);
  });
});
