import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS } from '../../src/clock.ts';
import { baseDueDate, deadlineStatus, dueDate, pauseDeadline, resumeDeadline, startDeadline, targetDaysFor, type DeadlineFacts } from '../../src/law/appi/deadlines.ts';
import { evaluateFee, feeWording } from '../../src/law/appi/fees.ts';
import { allowedFrom, assertActionAllowed, requestStateInfo, requestStates, settledState } from '../../src/requests/request-state.ts';
import { sniffFileType, checkUpload, cleanFilename } from '../../src/requests/request-uploads.ts';
import { openBytes, sealBytes } from '../../src/delivery/sealed-bytes.ts';
import { checkPaymentWebhookSignature, signPaymentWebhook } from '../../src/requests/payment-webhook.ts';
import { createManualClock } from '../../src/clock.ts';
import { rowsToCsv } from '../../src/delivery/disclosure-package.ts';
import { loadPolicy, HOSTING_POLICY, MISSKEY_POLICY } from './request-test-kit.ts';

describe('deadlines', () => {
  const t0 = new Date('2026-04-01T00:00:00Z');
  const fresh: DeadlineFacts = { startedAt: null, targetDays: 14, pausedSeconds: 0, pausedSince: null };

  test('no due date before identity is confirmed', () => {
    assert.equal(dueDate(fresh, t0), null);
    assert.deepEqual(deadlineStatus(fresh, t0), { kind: 'not_started' });
  });

  test('runs from the start, pauses, resumes with the pause added, and turns overdue', () => {
    let d = startDeadline(fresh, t0);
    assert.equal(dueDate(d, t0)?.toISOString(), '2026-04-15T00:00:00.000Z');
    d = pauseDeadline(d, new Date(t0.getTime() + 3 * DAY_MS));
    const during = new Date(t0.getTime() + 5 * DAY_MS);
    assert.deepEqual(deadlineStatus(d, during), { kind: 'paused', remainingMs: 11 * DAY_MS });
    assert.equal(dueDate(d, during)?.toISOString(), '2026-04-17T00:00:00.000Z', 'the running pause pushes the date');
    assert.equal(pauseDeadline(d, during), d, 'pausing twice changes nothing');
    d = resumeDeadline(d, new Date(t0.getTime() + 7 * DAY_MS));
    assert.equal(baseDueDate(d)?.toISOString(), '2026-04-19T00:00:00.000Z');
    assert.equal(startDeadline(d, during), d, 'starting twice keeps the first start');
    const late = new Date('2026-04-20T00:00:00Z');
    assert.deepEqual(deadlineStatus(d, late), { kind: 'overdue', dueAt: new Date('2026-04-19T00:00:00Z'), overdueMs: DAY_MS });
  });

  test('target days come from the kind, then the policy default', () => {
    const hosting = loadPolicy(HOSTING_POLICY).policy;
    assert.equal(targetDaysFor(hosting, 'disclosure'), 10);
    assert.equal(targetDaysFor(hosting, 'correction'), 14);
  });
});

describe('fees (38条)', () => {
  test('charges the Misskey disclosure fee of ¥1,500 and nothing for a correction', () => {
    const misskey = loadPolicy(MISSKEY_POLICY).policy;
    const fee = evaluateFee(misskey, 'disclosure');
    assert.equal(fee.status, 'charged');
    assert.equal(fee.status === 'charged' && fee.amount, 1500);
    assert.deepEqual(evaluateFee(misskey, 'correction'), { status: 'none' });
  });

  test('refuses a fee on a correction request even when the policy sets one', () => {
    const hosting = loadPolicy(HOSTING_POLICY).policy;
    assert.deepEqual(evaluateFee(hosting, 'correction'), { status: 'refused_by_law', article: '38条', configuredAmount: 1000 });
    const disclosure = evaluateFee(hosting, 'disclosure');
    assert.equal(disclosure.status === 'charged' && disclosure.wording.ja, '5,500円（税込）');
  });

  test('words the tax and the unit', () => {
    assert.deepEqual(feeWording(1000, 'excluded', 'per_item'), { ja: '1,000円（税別）（1件につき）', en: '¥1,000 (plus consumption tax) per item' });
  });
});

describe('request states', () => {
  test('every state has a label and the waiting states stop the clock', () => {
    assert.deepEqual(requestStates.filter((s) => requestStateInfo[s].pausesDeadline), ['awaiting_payment', 'awaiting_documents']);
    for (const s of requestStates) assert.ok(requestStateInfo[s].label.ja && requestStateInfo[s].label.en);
  });

  test('refuses an action outside its states with a 409 code', () => {
    assert.throws(() => assertActionAllowed('closed', 'decide'), { code: 'MAMORI_REQUEST_STATE_CONFLICT', status: 409 });
    assert.doesNotThrow(() => assertActionAllowed('in_progress', 'decide'));
    assert.ok(!allowedFrom.withdraw.includes('decided'), 'a decided request cannot be withdrawn');
  });

  test('settles to documents check, payment or work', () => {
    assert.equal(settledState({ identityConfirmed: false, feeDue: true }), 'verified');
    assert.equal(settledState({ identityConfirmed: true, feeDue: true }), 'awaiting_payment');
    assert.equal(settledState({ identityConfirmed: true, feeDue: false }), 'in_progress');
  });
});

describe('uploads, sealing, signatures, CSV', () => {
  test('recognizes PDF, PNG and JPEG by their bytes and refuses others', () => {
    assert.equal(sniffFileType(Buffer.from('%PDF-1.7')), 'application/pdf');
    assert.equal(sniffFileType(Buffer.from([0xff, 0xd8, 0xff, 0xe0])), 'image/jpeg');
    assert.equal(sniffFileType(Buffer.from('GIF89a')), null);
    assert.throws(() => checkUpload({ filename: 'x.exe', bytes: Buffer.from('MZ') }), { code: 'MAMORI_REQUEST_UPLOAD_TYPE' });
    assert.equal(cleanFilename('../../etc/pass"wd'), 'pass_wd');
  });

  test('sealed bytes open only with the same key and purpose', () => {
    const key = Buffer.alloc(32, 1);
    const sealed = sealBytes(key, 'request-file', Buffer.from('秘密'));
    assert.equal(openBytes(key, 'request-file', sealed).toString(), '秘密');
    assert.throws(() => openBytes(Buffer.alloc(32, 2), 'request-file', sealed));
    assert.throws(() => openBytes(key, 'request-package', sealed));
    sealed[sealed.length - 1] = (sealed[sealed.length - 1] ?? 0) ^ 1;
    assert.throws(() => openBytes(key, 'request-file', sealed));
  });

  test('webhook signatures are checked for secret, body and age', () => {
    const clock = createManualClock('2026-04-01T00:00:00Z');
    const t = Math.floor(clock.now().getTime() / 1000);
    const sig = signPaymentWebhook('s'.repeat(20), '{"a":1}', t);
    assert.deepEqual(checkPaymentWebhookSignature('s'.repeat(20), '{"a":1}', sig, clock), { ok: true });
    assert.deepEqual(checkPaymentWebhookSignature('s'.repeat(20), '{"a":2}', sig, clock), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(checkPaymentWebhookSignature('s'.repeat(20), '{"a":1}', 'v1=abc', clock), { ok: false, reason: 'malformed' });
    clock.advance(301_000);
    assert.deepEqual(checkPaymentWebhookSignature('s'.repeat(20), '{"a":1}', sig, clock), { ok: false, reason: 'stale' });
  });

  test('CSV quotes commas, quotes and newlines and joins the columns of all rows', () => {
    assert.equal(rowsToCsv([{ a: 1, b: 'x,y' }, { b: 'say "hi"', c: { n: 1 } }]), 'a,b,c\r\n1,"x,y",\r\n,"say ""hi""","{""n"":1}"\r\n');
  });
});
