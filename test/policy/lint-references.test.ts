import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { ruleCases, lintChanged } from '../fixtures/policies/policy-fixture.ts';
import { appiLintRules } from '../../src/law/appi/lint-rules.ts';

describe('references and consistency', () => {
  ruleCases('appi-32-purpose-data-declared', {
    passes: [{ name: 'purposes using declared items', change: () => {} }],
    fails: [{ name: 'a purpose using an undeclared, misspelled item', change: (p) => { p.purposes[0]?.data.push('emial'); }, at: '- emial', says: 'did you mean "email"?' }],
  });

  ruleCases('policy-ref-subject-group', {
    passes: [{ name: 'declared groups', change: () => {} }],
    fails: [
      { name: 'a purpose for an unknown group', change: (p) => { p.purposes[0]?.subject_groups.push('members'); }, at: '- members', says: 'subject group "members"' },
      { name: 'a data item from an unknown group', change: (p) => { p.data[0]?.subject_groups.push('userz'); }, says: 'did you mean "users"?' },
    ],
  });

  ruleCases('policy-ref-contact', {
    passes: [{ name: 'channels naming declared contacts', change: () => {} }],
    fails: [
      { name: 'a request channel naming no contact', change: (p) => { p.requests.kinds.correction?.channels.push('head_ofice'); }, at: '- head_ofice', says: 'did you mean "head_office"?' },
      { name: 'a complaint contact naming no contact', change: (p) => { p.operator.complaint_contacts = ['support']; }, at: '- support' },
    ],
  });

  ruleCases('policy-ref-purpose', {
    passes: [{ name: 'a tool for a declared purpose', change: (p) => { p.tools.push({ id: 'sentry', catalog: 'sentry', purpose: 'provide_service', self_hosted: true }); } }],
    fails: [
      { name: 'a tool for an undeclared purpose', change: (p) => { p.tools.push({ id: 'sentry', catalog: 'sentry', purpose: 'analytics', self_hosted: true }); }, at: 'purpose: analytics' },
      { name: 'a cookie for an undeclared purpose', change: (p) => { p.cookies.push({ name: 'sid', purpose: 'login', duration: 'セッション', party: 'first' }); }, at: 'purpose: login' },
    ],
  });

  ruleCases('policy-ref-tool', {
    passes: [{ name: 'a cookie set by a declared tool', change: (p) => { p.tools.push({ id: 'sentry', catalog: 'sentry', purpose: 'provide_service', self_hosted: true }); p.cookies.push({ name: 'sc', tool: 'sentry', purpose: 'provide_service', duration: '1年', party: 'first' }); } }],
    fails: [{ name: 'a cookie set by an undeclared tool', change: (p) => { p.cookies.push({ name: '_ga', tool: 'ga', purpose: 'provide_service', duration: '2年', party: 'third' }); }, at: 'tool: ga' }],
  });

  ruleCases('policy-ref-data', {
    passes: [{ name: 'outsourcing of declared data', change: (p) => { p.provision.outsourcing.push({ id: 'mail', task: 'メール配信', data: ['email'] }); } }],
    fails: [
      { name: 'joint use of undeclared data', change: (p) => { p.provision.joint_use.push({ id: 'group', data: ['purchase_history'], users_scope: '当社グループ各社', purposes: 'サービス案内', responsible: { kind: 'corporation', name: '株式会社テスト', address: '東京都', representative: '山田太郎' } }); }, at: '- purchase_history', says: 'joint use "group"' },
      { name: 'a retention period for undeclared data', change: (p) => { p.retention = { general: '目的達成後に消去', items: [{ data: ['logs'], period: '1年' }] }; }, at: '- logs' },
    ],
  });

  ruleCases('policy-unique-ids', {
    passes: [{ name: 'distinct ids', change: () => {} }],
    fails: [{ name: 'two data items with one id', change: (p) => { p.data.push({ id: 'email', category: 'email', subject_groups: ['users'], acquisition: [{ method: 'direct' }], published_by_user: false }); }, says: 'used twice' }],
  });

  ruleCases('policy-purpose-data-group', {
    passes: [{ name: 'a purpose using data from its own group', change: () => {} }],
    fails: [
      {
        name: 'a purpose using data acquired only from another group',
        change: (p) => {
          p.subject_groups.push({ id: 'applicants', kind: 'job_applicants', name: '応募者', role: 'controller' });
          p.data.push({ id: 'resume', category: 'resume', subject_groups: ['applicants'], acquisition: [{ method: 'direct' }], published_by_user: false });
          p.purposes.push({ id: 'hiring', kind: 'recruitment', description: '採用選考のため', subject_groups: ['applicants'], data: ['resume'], choice: 'none' });
          p.purposes[0]?.data.push('resume');
        },
        at: '- resume',
        says: 'acquired only from applicants',
      },
    ],
  });

  ruleCases('policy-history-order', {
    passes: [
      { name: 'established then revised', change: () => {} },
      { name: 'a history that knows only revisions', change: (p) => { p.history = [{ date: '2012-09-03', kind: 'revised' }, { date: '2020-01-01', kind: 'revised' }]; } },
    ],
    fails: [
      { name: 'a revision dated before the establishment', change: (p) => { p.history.push({ date: '2023-01-01', kind: 'revised' }); }, at: '2023-01-01', says: 'oldest first' },
      { name: 'a second establishment', change: (p) => { p.history.push({ date: '2026-01-01', kind: 'established' }); }, says: 'established once' },
      { name: 'two entries on one date', change: (p) => { p.history.push({ date: '2025-10-01', kind: 'revised' }); }, says: 'one per date' },
    ],
  });

  ruleCases('policy-fill-in', {
    passes: [{ name: 'written values', change: () => {} }],
    fails: [{ name: 'a starter placeholder left in place', change: (p) => { p.operator.address = 'FILL IN: 運営者の住所'; }, at: 'FILL IN', says: 'operator.address' }],
  });
});

describe('the rule set', () => {
  test('the base fixture lints with no finding at all', () => {
    assert.deepEqual(lintChanged(() => {}).issues, []);
  });

  test('every rule has a unique id, an article, a bilingual summary and a failing case in a lint test', () => {
    const testsText = readdirSync(new URL('.', import.meta.url))
      .filter((f) => f.startsWith('lint-') && f.endsWith('.test.ts'))
      .map((f) => readFileSync(new URL(f, import.meta.url), 'utf8'))
      .join('\n');
    const ids = appiLintRules.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, 'duplicate rule ids');
    for (const rule of appiLintRules) {
      assert.match(rule.id, /^(appi|policy|telecom)-[a-z0-9-]+$/);
      assert.ok(rule.article.length > 0 && rule.summary.ja.length > 0 && rule.summary.en.length > 0, rule.id);
      assert.ok(testsText.includes(`ruleCases('${rule.id}'`), `${rule.id} has no ruleCases in test/policy/lint-*.test.ts`);
    }
  });

  test('issues come sorted by line and carry the rule article', () => {
    const { issues } = lintChanged((p) => {
      p.operator.address = undefined;
      p.requests.kinds.correction = undefined;
    });
    const lines = issues.map((i) => i.line);
    assert.deepEqual(lines, [...lines].sort((a, b) => a - b));
    assert.equal(issues.find((i) => i.rule === 'appi-32-operator-address')?.article, '32条1項1号');
  });
});

describe('contact values', () => {
  ruleCases('policy-contact-value', {
    passes: [
      { name: 'an email address and a postal address', change: () => {} },
      { name: 'a web form URL and a phone number', change: (p) => { p.operator.contacts.push({ id: 'form', kind: 'web_form', value: 'https://example.jp/contact' }, { id: 'tel', kind: 'phone', value: '03-1234-5678', hours: '平日10時〜17時' }); } },
    ],
    fails: [
      { name: 'an email contact holding a URL', change: (p) => { const c = p.operator.contacts[0]; if (c) c.value = 'https://example.jp/privacy'; }, at: 'https://example.jp/privacy', says: 'not an email address' },
      { name: 'a web form holding an email', change: (p) => { p.operator.contacts.push({ id: 'form', kind: 'web_form', value: 'form@example.jp' }); }, at: 'form@example.jp', says: 'not a URL' },
    ],
  });
});
