import { describe } from 'node:test';
import { ruleCases } from '../fixtures/policies/policy-fixture.ts';
import type { Policy, RequestKind, RequestProcedure } from '../../src/policy/schema.ts';

/** Changes one request procedure of the base policy (all five exist there). */
function withProcedure(kind: RequestKind, change: (proc: RequestProcedure) => void): (p: Policy) => void {
  return (p) => {
    const proc = p.requests.kinds[kind];
    if (!proc) throw new Error(`base policy lacks ${kind}`);
    change(proc);
  };
}

describe('requests (33条・37条・38条)', () => {
  ruleCases('appi-38-fee-kind', {
    passes: [
      { name: 'a fee on disclosure', change: () => {} },
      { name: 'a fee on purpose notices', change: withProcedure('purpose_notice', (proc) => { proc.fee = { amount: 500, tax: 'included', unit: 'per_request', payment: ['postal_money_order'] }; }) },
    ],
    fails: [
      { name: 'a fee on correction', change: withProcedure('correction', (proc) => { proc.fee = { amount: 500, tax: 'included', unit: 'per_request', payment: ['card'] }; }), at: 'fee:', says: 'remove requests.kinds.correction.fee' },
      { name: 'a fee on stopping provision', change: withProcedure('stop_provision', (proc) => { proc.fee = { amount: 300, tax: 'excluded', unit: 'per_request', payment: ['card'] }; }), says: '38条1項' },
    ],
  });

  ruleCases('appi-37-payment-instructions', {
    passes: [
      { name: 'a bank transfer with its account', change: () => {} },
      { name: 'card payment with a payment page', change: withProcedure('disclosure', (proc) => { proc.fee = { amount: 1000, tax: 'included', unit: 'per_request', payment: ['card'], payment_url: 'https://pay.example/fee' }; }) },
    ],
    fails: [
      { name: 'a bank transfer without an account', change: withProcedure('disclosure', (proc) => { proc.fee = { amount: 1000, tax: 'included', unit: 'per_request', payment: ['bank_transfer'] }; }), says: 'bank_account' },
      { name: 'a convenience-store payment without a page', change: withProcedure('disclosure', (proc) => { proc.fee = { amount: 1000, tax: 'included', unit: 'per_request', payment: ['convenience_store'] }; }), says: 'payment_url' },
    ],
  });

  ruleCases('appi-37-target-days', {
    passes: [{ name: 'an answer within 30 days', change: withProcedure('disclosure', (proc) => { proc.target_days = 30; }) }],
    fails: [
      { name: 'a 45-day target', change: withProcedure('disclosure', (proc) => { proc.target_days = 45; }), at: 'target_days: 45', says: '遅滞なく' },
      { name: 'a 60-day default', change: (p) => { p.requests.default_target_days = 60; }, at: 'default_target_days: 60' },
    ],
  });

  ruleCases('appi-37-operator-grounds', {
    passes: [{ name: 'only statutory grounds', change: () => {} }],
    fails: [{ name: 'an operator-specific refusal case', change: withProcedure('disclosure', (proc) => { proc.operator_grounds = ['試験の採点内容に関するもの']; }), at: '試験の採点内容', says: 'statutory ground' }],
  });

  ruleCases('appi-37-identity-app-assertion', {
    passes: [
      { name: 'app assertion alone when every group has an account', change: withProcedure('disclosure', (proc) => { proc.identity = ['app_assertion']; }) },
      {
        name: 'app assertion with email codes for inquirers',
        change: (p) => {
          p.subject_groups.push({ id: 'inquirers', kind: 'inquirers', name: '問い合わせ者', role: 'controller' });
          const proc = p.requests.kinds.disclosure;
          if (proc) proc.identity = ['app_assertion', 'email_code'];
        },
      },
    ],
    fails: [
      {
        name: 'app assertion alone while inquirers have no account',
        change: (p) => {
          p.subject_groups.push({ id: 'inquirers', kind: 'inquirers', name: '問い合わせ者', role: 'controller' });
          const proc = p.requests.kinds.disclosure;
          if (proc) proc.identity = ['app_assertion'];
        },
        says: 'inquirers',
      },
    ],
  });

  ruleCases('appi-37-identity-documents', {
    passes: [{ name: 'ID documents named', change: withProcedure('disclosure', (proc) => { proc.identity = ['id_document']; proc.identity_documents = ['運転免許証']; }) }],
    fails: [{ name: 'ID documents required but none named', change: withProcedure('disclosure', (proc) => { proc.identity = ['id_document']; }), at: 'identity:' }],
  });

  ruleCases('appi-37-agents', {
    passes: [{ name: 'agents with their proofs', change: () => {} }],
    fails: [
      { name: 'agents refused', change: withProcedure('suspension', (proc) => { proc.agents = { allowed: false, kinds: [], proofs: [] }; }), at: 'allowed: false', says: '37条3項' },
      { name: 'agents allowed with no proof', change: withProcedure('suspension', (proc) => { proc.agents = { allowed: true, kinds: ['mandated'], proofs: [] }; }), says: 'no proof' },
    ],
  });

  ruleCases('appi-33-electronic-delivery', {
    passes: [{ name: 'electronic and paper disclosure', change: () => {} }],
    fails: [{ name: 'paper-only disclosure', change: withProcedure('disclosure', (proc) => { proc.delivery = ['paper']; }), at: 'delivery:', says: 'electronic' }],
  });

  ruleCases('appi-16-six-month-data', {
    passes: [{ name: 'a note on answer times', change: withProcedure('disclosure', (proc) => { proc.note = { ja: '原則として6か月以内の記録を優先して確認します。', en: 'We check recent records first.' }; }) }],
    fails: [
      {
        name: 'a note excluding data kept six months or less',
        change: withProcedure('disclosure', (proc) => { proc.note = { ja: '6ヶ月以内に消去する個人情報は開示の対象外です。', en: 'Data erased within six months is not covered.' }; }),
        at: '6ヶ月以内',
        says: '16条4項',
      },
    ],
  });
});
