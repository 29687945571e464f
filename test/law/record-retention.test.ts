import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { recordFormAllowed, recordRequirement, retainUntil, retentionExpired } from '../../src/law/appi/record-retention.ts';
import { checkAnonymizationConfig, transformCell } from '../../src/law/appi/anonymization.ts';

describe('provision records (29条・30条)', () => {
  test('consent and opt-out provisions need a record', () => {
    assert.deepEqual(recordRequirement({ basis: 'consent', foreignRecipient: false, recipientIsPublicBody: false }), { required: true });
    assert.deepEqual(recordRequirement({ basis: 'opt_out', foreignRecipient: false, recipientIsPublicBody: false }), { required: true });
  });
  test('27条1項 exceptions and provision to a national body need no record', () => {
    assert.deepEqual(recordRequirement({ basis: 'statutory_exception', foreignRecipient: false, recipientIsPublicBody: false }), { required: false, reason: 'statutory_exception' });
    assert.deepEqual(recordRequirement({ basis: 'consent', foreignRecipient: false, recipientIsPublicBody: true }), { required: false, reason: 'national_body' });
  });
  test('27条5項 cases need no record at home but do abroad', () => {
    assert.deepEqual(recordRequirement({ basis: 'entrustment', foreignRecipient: false, recipientIsPublicBody: false }), { required: false, reason: 'not_third_party' });
    assert.deepEqual(recordRequirement({ basis: 'joint_use', foreignRecipient: true, recipientIsPublicBody: false }), { required: true });
  });
  test('batch records are allowed for consent provision but not for opt-out', () => {
    assert.equal(recordFormAllowed('batch', 'consent'), true);
    assert.equal(recordFormAllowed('batch', 'opt_out'), false);
    assert.equal(recordFormAllowed('single', 'opt_out'), true);
  });
  test('contract-substitute records are kept 1 year, others 3 years, from the last provision', () => {
    assert.equal(retainUntil('contract_substitute', '2026-04-01'), '2027-04-01');
    assert.equal(retainUntil('batch', '2026-04-01'), '2029-04-01');
    assert.equal(retainUntil('single', '2028-02-29'), '2031-02-28');
  });
  test('a record expires only after its retention day has passed', () => {
    assert.equal(retentionExpired('2027-04-01', '2027-04-01'), false);
    assert.equal(retentionExpired('2027-04-01', '2027-04-02'), true);
  });
});

describe('匿名加工情報 standard (規則34条)', () => {
  test('accepts identifiers dropped and quasi-identifiers generalized', () => {
    assert.deepEqual(checkAnonymizationConfig({ k: 5, columns: [
      { name: 'email', role: 'identifier', transform: { kind: 'drop' } },
      { name: 'age', role: 'quasi_identifier', transform: { kind: 'bucket', width: 10 } },
    ] }), []);
  });
  test('refuses a kept identifier, a raw quasi-identifier and k below 2', () => {
    const issues = checkAnonymizationConfig({ k: 1, columns: [
      { name: 'user_id', role: 'linking_code', transform: { kind: 'keep' } },
      { name: 'zip', role: 'quasi_identifier', transform: { kind: 'keep' } },
    ] });
    assert.deepEqual(issues.map((i) => i.code), ['k_too_small', 'identifier_not_dropped', 'quasi_identifier_kept_raw']);
  });
  test('generalizes and top-codes cells', () => {
    assert.equal(transformCell('34', { kind: 'bucket', width: 10 }), '30-39');
    assert.equal(transformCell('97', { kind: 'top_code', max: 80 }), '80+');
    assert.equal(transformCell('45', { kind: 'top_code', max: 80 }), '45');
    assert.equal(transformCell('2026-04-13', { kind: 'date_truncate', to: 'month' }), '2026-04');
    assert.equal(transformCell('150-0001', { kind: 'prefix', length: 3 }), '150');
  });
});
