import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hookIdentities, identityPicture, resolutionSeeds } from '../../src/requests/request-identities.ts';
import type { Row } from '../../src/requests/request-rows.ts';

function row(over: Partial<Row>): Row {
  return {
    id: 'req_1', kind: 'disclosure', state: 'in_progress', channel: 'privacy_center', lang: 'ja', email: 'a@example.jp', account_id: null, subject_id: null, description: '', delivery: null,
    agent_kind: null, agent_relationship: null, agent_name: null, verified_via: 'email_code', verified_at: '2026-11-01T00:00:00Z', identity_confirmed_at: null, token_hash: null, target_days: 14,
    due_at: null, paused_since: null, paused_s: 0, fee_amount: null, fee_tax: null, fee_paid_at: null, fee_payment_method: null, fee_reference: null, decision_json: null, decided_at: null,
    delivered_at: null, closed_at: null, entered_by: null, created_at: '2026-11-01T00:00:00Z', updated_at: '2026-11-01T00:00:00Z', resolution_json: null, payment_code: null, payment_due_at: null, grounds_json: null, ...over,
  };
}
const resolved = (found: Record<string, string[]>) => JSON.stringify({ at: '2026-11-01T00:00:00Z', found, unavailable: [] });

test('an email code verifies the email only; a typed account id is a claim that reaches nothing', () => {
  const pic = identityPicture(row({ account_id: 'victim' }), []);
  assert.deepEqual(pic.trusted, [{ kind: 'email', value: 'a@example.jp', source: 'email_code' }]);
  assert.deepEqual(pic.claims.map((c) => [c.kind, c.value, c.check]), [['account_id', 'victim', 'unchecked']]);
  assert.deepEqual(hookIdentities(pic), { identities: { email: 'a@example.jp' }, subjectId: null });
});

test('a signed assertion verifies its account id; a typed id equal to it is no claim', () => {
  const pic = identityPicture(row({ verified_via: 'app_assertion', subject_id: 'u7', account_id: 'u7' }), []);
  assert.deepEqual(pic.trusted.map((x) => [x.kind, x.source]), [['email', 'app_assertion'], ['account_id', 'app_assertion']]);
  assert.deepEqual(pic.claims, []);
  assert.equal(hookIdentities(pic).subjectId, 'u7');
});

test('an agent\'s verified email is the agent\'s own: nothing of the person is trusted until staff confirm it', () => {
  const pic = identityPicture(row({ agent_kind: 'mandated', account_id: 'u9' }), []);
  assert.deepEqual(pic.trusted, []);
  assert.equal(pic.agentEmail, true);
  assert.deepEqual(resolutionSeeds(pic), {});
  const confirmed = identityPicture(row({ agent_kind: 'mandated', account_id: 'u9' }), [{ kind: 'account_id', value: 'u9', confirmed_by: 'staff:s1', confirmed_at: '2026-11-02T00:00:00Z', reason: '委任状と本人確認書類' }]);
  assert.deepEqual(hookIdentities(confirmed).identities, { account_id: 'u9' });
});

test('a resolved value is trusted only when it is the only one of its kind, and a mismatching claim is named', () => {
  const one = identityPicture(row({ account_id: 'victim', resolution_json: resolved({ account_id: ['me'] }) }), []);
  assert.deepEqual(hookIdentities(one).identities, { email: 'a@example.jp', account_id: 'me' });
  assert.deepEqual(one.claims.map((c) => [c.check, c.resolved]), [['mismatch', ['me']]]);
  const two = identityPicture(row({ resolution_json: resolved({ account_id: ['me', 'other'] }) }), []);
  assert.deepEqual(hookIdentities(two).identities, { email: 'a@example.jp' });
  const same = identityPicture(row({ account_id: 'me', resolution_json: resolved({ account_id: ['me'] }) }), []);
  assert.equal(same.claims[0]?.check, 'matches');
});

test('the email of a staff-entered letter is a claim, compared without regard to case', () => {
  const pic = identityPicture(row({ channel: 'postal_office', verified_via: 'staff', email: 'Taro@Example.jp', resolution_json: null }), []);
  assert.deepEqual(pic.trusted, []);
  assert.deepEqual(pic.claims.map((c) => [c.kind, c.from]), [['email', 'staff_entry']]);
  const confirmed = identityPicture(row({ channel: 'postal_office', verified_via: 'staff', email: 'Taro@Example.jp' }), [{ kind: 'email', value: 'taro@example.jp', confirmed_by: 'staff:s1', confirmed_at: '2026-11-02T00:00:00Z', reason: '書類' }]);
  assert.deepEqual(confirmed.claims.map((c) => c.confirmation?.reason), ['書類']);
  assert.deepEqual(hookIdentities(confirmed).identities, { email: 'taro@example.jp' });
});
