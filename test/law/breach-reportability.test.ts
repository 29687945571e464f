import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { assessBreach, breachDeadlines, deadlineState, type BreachFacts } from '../../src/law/appi/breach.ts';
import { missingReportFields } from '../../src/law/appi/breach-report-fields.ts';

const base: BreachFacts = {
  discoveredAt: new Date('2026-04-01T10:00:00+09:00'),
  affectedCount: 10,
  sensitiveData: false,
  financialHarmData: false,
  unauthorizedPurpose: false,
  skimmingOfAcquisition: false,
  advancedEncryption: false,
};
const triggersOf = (f: Partial<BreachFacts>) => assessBreach({ ...base, ...f }).triggers.map((t) => t.trigger);

describe('breach reportability (26条, 規則7条)', () => {
  test('a small leak of ordinary data is not reportable', () => {
    const r = assessBreach(base);
    assert.equal(r.reportable, false);
    assert.deepEqual(r.triggers, []);
  });
  test('sensitive data makes even one person reportable', () => {
    assert.deepEqual(triggersOf({ sensitiveData: true, affectedCount: 1 }), ['sensitive_data']);
    assert.equal(assessBreach({ ...base, sensitiveData: true, affectedCount: 1 }).triggers[0]?.article, '規則7条1号');
  });
  test('financial-harm data is reportable', () => {
    assert.deepEqual(triggersOf({ financialHarmData: true }), ['financial_harm']);
  });
  test('a suspected unauthorized purpose is reportable', () => {
    assert.deepEqual(triggersOf({ unauthorizedPurpose: true }), ['unauthorized_purpose']);
  });
  test('skimming of data being acquired counts from 2024-04-01 but not before', () => {
    assert.deepEqual(triggersOf({ skimmingOfAcquisition: true, occurredAt: new Date('2024-04-01T00:00:00+09:00') }), ['unauthorized_purpose']);
    assert.deepEqual(triggersOf({ skimmingOfAcquisition: true, occurredAt: new Date('2024-03-31T23:59:59+09:00') }), []);
  });
  test('1,000 people is not reportable by count, 1,001 is', () => {
    assert.deepEqual(triggersOf({ affectedCount: 1000 }), []);
    assert.deepEqual(triggersOf({ affectedCount: 1001 }), ['over_threshold']);
  });
  test('an unknown count is provisionally reportable, with the 速報 clock running from discovery (規則7条: おそれ)', () => {
    const r = assessBreach({ ...base, affectedCount: null });
    assert.equal(r.countUnknown, true);
    assert.equal(r.reportable, true);
    assert.equal(r.provisional, true);
    assert.deepEqual(r.triggers, [{ trigger: 'over_threshold', article: '規則7条4号', provisional: true }]);
    assert.equal(breachDeadlines(base.discoveredAt, r).preliminary.dueDate, '2026-04-04');
  });
  test('staff rule the threshold out only with a reason, and the verdict keeps it', () => {
    const ruled = assessBreach({ ...base, affectedCount: null, thresholdRuledOut: { reason: '対象テーブルの総件数が300件' } });
    assert.equal(ruled.reportable, false);
    assert.equal(ruled.thresholdRuledOutReason, '対象テーブルの総件数が300件');
    assert.equal(assessBreach({ ...base, affectedCount: null, thresholdRuledOut: { reason: '  ' } }).reportable, true);
  });
  test('an unknown count beside another trigger is reportable outright, not provisionally', () => {
    const r = assessBreach({ ...base, affectedCount: null, sensitiveData: true });
    assert.equal(r.reportable, true);
    assert.equal(r.provisional, false);
  });
  test('advanced encryption exempts an unknown count too', () => {
    assert.equal(assessBreach({ ...base, affectedCount: null, advancedEncryption: true }).reportable, false);
  });
  test('every applying trigger is named', () => {
    assert.deepEqual(triggersOf({ sensitiveData: true, financialHarmData: true, unauthorizedPurpose: true, affectedCount: 5000 }), ['sensitive_data', 'financial_harm', 'unauthorized_purpose', 'over_threshold']);
  });
  test('advanced encryption exempts a reportable case, but not skimming', () => {
    const enc = assessBreach({ ...base, sensitiveData: true, advancedEncryption: true });
    assert.equal(enc.reportable, false);
    assert.equal(enc.exemption, 'advanced_encryption');
    const skim = assessBreach({ ...base, skimmingOfAcquisition: true, advancedEncryption: true });
    assert.equal(skim.reportable, true);
  });
  test('pseudonymized-only data is exempt', () => {
    assert.equal(assessBreach({ ...base, affectedCount: 5000, pseudonymizedOnly: true }).exemption, 'pseudonymized_only');
  });
});

describe('breach deadlines with a fixed clock', () => {
  const discovered = new Date('2026-04-01T23:30:00+09:00'); // late evening JST: still 1 April in Japan
  test('速報 target 3 days, warning at 5, 確報 30 days, counted in JST calendar days', () => {
    const d = breachDeadlines(discovered, assessBreach({ ...base, discoveredAt: discovered, sensitiveData: true }));
    assert.equal(d.preliminary.dueDate, '2026-04-04');
    assert.equal(d.preliminary.limitDate, '2026-04-06');
    assert.equal(d.final.dueDate, '2026-05-01');
    assert.equal(d.final.dueAt, '2026-05-01T14:59:59.999Z');
  });
  test('確報 within 60 days for the unauthorized-purpose trigger', () => {
    const d = breachDeadlines(discovered, assessBreach({ ...base, discoveredAt: discovered, unauthorizedPurpose: true }));
    assert.equal(d.final.dueDate, '2026-05-31');
    assert.equal(d.final.days, 60);
  });
  test('deadline state moves from on track to late to overdue, and stops when submitted', () => {
    const d = breachDeadlines(discovered, { triggers: [] }).preliminary;
    assert.equal(deadlineState(d, new Date('2026-04-04T23:59:00+09:00'), null), 'on_track');
    assert.equal(deadlineState(d, new Date('2026-04-05T09:00:00+09:00'), null), 'late');
    assert.equal(deadlineState(d, new Date('2026-04-07T00:00:00+09:00'), null), 'overdue');
    assert.equal(deadlineState(d, new Date('2026-04-07T00:00:00+09:00'), new Date('2026-04-03T00:00:00+09:00')), 'submitted');
  });
});

describe('規則8条 report fields', () => {
  test('a preliminary report needs only the summary; a final report needs every item but "other"', () => {
    assert.deepEqual(missingReportFields({}, 'preliminary'), ['summary']);
    assert.deepEqual(missingReportFields({ summary: 'x' }, 'preliminary'), []);
    const all = { summary: 'a', data_items: 'b', affected_count: '3', cause: 'c', secondary_harm: 'd', response_to_people: 'e', publication: 'f', prevention: 'g' };
    assert.deepEqual(missingReportFields(all, 'final'), []);
    assert.deepEqual(missingReportFields({ ...all, cause: '  ' }, 'final'), ['cause']);
  });
});
