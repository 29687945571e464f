import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS } from '../../src/clock.ts';
import { paymentInstructionLines } from '../../src/mail/templates/request-mails.ts';
import { paymentInstructionsFor } from '../../src/requests/payment-instructions.ts';
import type { Row } from '../../src/requests/request-rows.ts';
import { signPaymentWebhook } from '../../src/requests/payment-webhook.ts';
import { fileUnpaidDisclosure, HOSTING_EXAMPLE, loadPolicy, MISSKEY_POLICY, startApp, WEBHOOK_SECRET } from './request-test-kit.ts';

describe('paying the fee', () => {
  test('the payment mail and the status page give the account, a typeable reference, the amount and the deadline; payment is acknowledged by mail', async () => {
    const app = await startApp('sqlite', MISSKEY_POLICY, { start: '2026-11-30T16:35:00Z' });
    try {
      const email = 'hana@example.jp';
      const { id, token } = await fileUnpaidDisclosure(app, email);
      await app.drain();
      const mail = await app.smtp.waitFor({ to: email, subject: /手数料のお支払いのお願い/ });
      const text = mail.text ?? '';
      assert.match(text, /金額: 1,500円（消費税の課税対象外）/);
      assert.match(text, /振込先: さくら台銀行 渋谷支店（店番号123）/);
      assert.match(text, /口座: 普通預金 1234567/);
      assert.match(text, /口座名義: サトウ ヒナ/);
      const reference = /お支払い番号: (\S+)/.exec(text)?.[1] ?? '';
      assert.match(reference, /^\d{8}$/, 'digits only, so it fits a bank transfer sender name');
      assert.match(text, /お支払い期限: 2026年12月31日まで/, '30 days from 1 December (JST)');

      const page = await (await fetch(`${app.url}/privacy-center/requests/${id}?token=${encodeURIComponent(token)}&lang=ja`)).text();
      assert.ok(page.includes(`<strong class="payment-reference">${reference}</strong>`));
      assert.match(page, /サトウ ヒナ/);
      assert.match(page, /<dt>お支払い期限<\/dt><dd>2026年12月31日<\/dd>/);

      await app.service.markPaid('staff:st_1', id, { method: 'bank_transfer', reference, amount: 1500 });
      await app.drain();
      const ack = await app.smtp.waitFor({ to: email, subject: /お支払いを確認しました/ });
      assert.match(ack.text ?? '', /1,500円（消費税の課税対象外） のお支払いを、2026年12月1日に確認いたしました/);
      const view = await app.service.getForRequester(id, token);
      assert.equal(view.state, 'in_progress');
      assert.equal(view.payment?.paid, true);
    } finally {
      await app.close();
    }
  });

  test('an unpaid request lapses after the deadline with a notice, and a second run of the check changes nothing', async () => {
    const app = await startApp('sqlite', MISSKEY_POLICY, { start: '2026-11-01T03:00:00Z' });
    try {
      const email = 'ren@example.jp';
      const { id, token } = await fileUnpaidDisclosure(app, email);
      const paid = await fileUnpaidDisclosure(app, 'paid@example.jp');
      await app.service.markPaid('staff:st_1', paid.id, { method: 'bank_transfer', reference: 'x', amount: 1500 });

      app.clock.advance(29 * DAY_MS);
      assert.deepEqual(await app.service.lapseUnpaidRequests(), { lapsed: 0 }, 'not before the last day has ended');
      app.clock.advance(2 * DAY_MS);
      assert.deepEqual(await app.service.lapseUnpaidRequests(), { lapsed: 1 });
      assert.deepEqual(await app.service.lapseUnpaidRequests(), { lapsed: 0 }, 'safe to run twice');

      const view = await app.service.getForRequester(id, token);
      assert.equal(view.state, 'lapsed');
      assert.equal(view.stateLabel.ja, 'お支払い期限の経過により終了');
      assert.equal((await app.service.getForRequester(paid.id, paid.token)).state, 'in_progress');
      await app.drain();
      const notice = await app.smtp.waitFor({ to: email, subject: /お支払い期限の経過/ });
      assert.match(notice.text ?? '', /お支払い期限（2026年12月1日）までに/);
      assert.match(notice.text ?? '', /あらためてご請求ください/);
      assert.equal(app.smtp.mails.filter((m) => /お支払い期限の経過/.test(m.subject ?? '')).length, 1, 'one notice only');
      await assert.rejects(app.service.markPaid('staff:st_1', id, { method: 'bank_transfer', reference: 'late', amount: 1500 }), { code: 'MAMORI_REQUEST_STATE_CONFLICT' });
    } finally {
      await app.close();
    }
  });

  test('the payment provider can name the request by the reference the person typed on its page', async () => {
    const app = await startApp('sqlite', MISSKEY_POLICY);
    try {
      const email = 'card@example.jp';
      const { id, token } = await fileUnpaidDisclosure(app, email);
      const reference = (await app.service.getForRequester(id, token)).payment?.reference ?? '';
      assert.match(reference, /^\d{8}$/);
      const send = async (payload: Record<string, unknown>) => {
        const body = JSON.stringify(payload);
        const signature = signPaymentWebhook(WEBHOOK_SECRET, body, Math.floor(app.clock.now().getTime() / 1000));
        return fetch(`${app.url}/api/v1/payments/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-mamori-signature': signature }, body });
      };
      assert.equal((await send({ payment_reference: '00000000', amount: 1500, currency: 'JPY', reference: 'ch_x' })).status, 404, 'an unknown reference');
      const ok = await send({ payment_reference: reference, amount: 1500, currency: 'JPY', method: 'convenience_store', reference: 'cvs_778' });
      assert.equal(ok.status, 200);
      assert.deepEqual(await ok.json(), { received: true, requestId: id, alreadyPaid: false });
      assert.equal((await app.service.getForRequester(id, token)).state, 'in_progress');
      await app.drain();
      await app.smtp.waitFor({ to: email, subject: /お支払いを確認しました/ });
    } finally {
      await app.close();
    }
  });

  test('the hosting example states ¥5,500 tax included, its account and the card payment page', () => {
    const policy = loadPolicy(HOSTING_EXAMPLE).policy;
    const row = { id: 'req_1', kind: 'disclosure', fee_amount: 5500, fee_paid_at: null, payment_code: '40012345', payment_due_at: '2026-12-31T14:59:59.999Z' } as unknown as Row;
    const p = paymentInstructionsFor(policy, row);
    assert.ok(p);
    const lines = paymentInstructionLines(p, 'ja').join('\n');
    assert.match(lines, /金額: 5,500円（税込）/);
    assert.match(lines, /口座名義: アズポケット（カ/);
    assert.match(lines, /https:\/\/pay\.azpocket\.example\/privacy-fee/);
    assert.match(lines, /お支払い期限: 2026年12月31日まで/);
    assert.match(paymentInstructionLines(p, 'en').join('\n'), /Amount: ¥5,500 \(tax included\) per request/);
  });
});
