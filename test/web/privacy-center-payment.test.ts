import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createSmtpTransport } from '../../src/mail/smtp-transport.ts';
import { createStaffUser } from '../../src/staff/staff-users.ts';
import { startTestServer, type TestServer } from '../staff/console-helpers.ts';
import { startSmtp, type TestSmtp } from '../requests/request-test-kit.ts';
import { launchChromium } from './web-support.ts';

const PERSON = 'sakura@example.jp';
const OFFICER = { email: 'officer@example.jp', password: 'officer password long enough' };

describe('in Chromium: a person pays the Misskey disclosure fee from the instructions and is told it arrived', () => {
  let browser: Browser;
  let server: TestServer;
  let smtp: TestSmtp;
  let transport: ReturnType<typeof createSmtpTransport>;
  before(async () => {
    browser = await launchChromium();
    smtp = await startSmtp();
    transport = createSmtpTransport(smtp.url);
    server = await startTestServer('sqlite', { transport });
    await createStaffUser(server.ctx.store.db, server.ctx.clock, { email: OFFICER.email, role: 'officer', password: OFFICER.password, actor: 'cli' });
  });
  after(async () => {
    await server.stop();
    transport.close();
    await smtp.stop();
    await browser.close();
  });

  test('files, confirms the code, reads where and how to pay, staff record the payment, the acknowledgement mail links back to the status page', async () => {
    const person = await browser.newContext({ locale: 'ja-JP' });
    const staff = await browser.newContext({ locale: 'ja-JP' });
    person.setDefaultTimeout(5000);
    staff.setDefaultTimeout(5000);
    try {
      const page = await person.newPage();
      await page.goto(`${server.url}/privacy-center`);
      await page.getByLabel('開示（第三者提供記録を含む）').check();
      await page.getByRole('button', { name: '次へ進む' }).click();
      await page.waitForURL(/\/privacy-center\/new\?/);
      assert.equal(await page.locator('.steps [aria-current="step"]').textContent(), '1. ご請求の内容');

      // The agent section appears only when "agent" is chosen (CSS only: no script on these pages).
      assert.equal(await page.locator('#agent').isVisible(), false, 'hidden for a person applying for themselves');
      await page.getByLabel('代理人（ご本人に代わって請求します）').check();
      assert.equal(await page.locator('#agent').isVisible(), true, 'shown for an agent');
      await page.getByLabel('ご本人', { exact: true }).check();
      assert.equal(await page.locator('#agent').isVisible(), false);

      await page.getByLabel('ご連絡先のメールアドレス（必須）').fill(PERSON);
      await page.getByLabel('ご請求の内容（必須）').fill('登録情報と投稿の開示をお願いします。');
      await page.getByLabel('電磁的記録（このページからダウンロード）').check();
      await page.getByRole('button', { name: 'この内容で請求する' }).click();
      await page.waitForURL(/\/verify\?/);
      assert.equal(await page.locator('.steps [aria-current="step"]').textContent(), '2. メールアドレスの確認');

      await server.ctx.outbox.drainOnce();
      const codeMail = await smtp.waitFor({ to: PERSON, subject: /確認コード/ });
      const code = /(\d{6})/.exec(codeMail.subject ?? '')?.[1] ?? '';
      await page.getByLabel('確認コード（6桁の数字）').fill(code);
      await page.getByRole('button', { name: '確認する' }).click();
      await page.waitForURL(/\/privacy-center\/requests\/req_[^/?]+\?token=/);
      assert.equal(await page.locator('.steps [aria-current="step"]').textContent(), '3. 手続きの状況');

      // Everything needed to pay, on the page.
      const main = (await page.textContent('main')) ?? '';
      for (const fact of ['1,500円（消費税の課税対象外）', 'さくら台銀行', '渋谷支店（店番号123）', '普通預金 1234567', 'サトウ ヒナ', 'お支払い期限']) assert.ok(main.includes(fact), `the page shows ${fact}`);
      const reference = (await page.locator('.payment-reference').textContent()) ?? '';
      assert.match(reference, /^\d{8}$/);
      assert.match(main, /ご請求を受け付けました/, 'the timeline starts');
      const requestId = /requests\/(req_[^?]+)/.exec(page.url())?.[1] ?? '';

      // The mail says the same.
      await server.ctx.outbox.drainOnce();
      const payMail = await smtp.waitFor({ to: PERSON, subject: /手数料のお支払いのお願い/ });
      assert.ok(payMail.text?.includes(`お支払い番号: ${reference}`));

      // Staff record the transfer, quoting the reference the person typed.
      const console = await staff.newPage();
      await console.goto(`${server.url}/console`);
      await console.waitForURL(/\/console\/login/);
      await console.getByLabel('メールアドレス').fill(OFFICER.email);
      await console.getByLabel('パスワード').fill(OFFICER.password);
      await console.getByRole('button', { name: 'サインイン' }).click();
      await console.waitForURL(`${server.url}/console`);
      await console.goto(`${server.url}/console/requests/${requestId}`);
      await console.getByLabel('照合番号（振込名義・決済番号など）').fill(`${reference} サクラ`);
      await console.getByRole('button', { name: '入金済みにする' }).click();
      await console.waitForSelector('text=対応中');

      // The acknowledgement: from the service, HTML beside text, and its link opens the status page.
      await server.ctx.outbox.drainOnce();
      const ack = await smtp.waitFor({ to: PERSON, subject: /お支払いを確認しました/ });
      assert.equal(ack.from?.value[0]?.name, 'Misskeyサーバー隠れ家');
      assert.match(ack.text ?? '', /1,500円（消費税の課税対象外） のお支払いを、\d{4}年\d{1,2}月\d{1,2}日に確認いたしました/);
      assert.ok(typeof ack.html === 'string');
      const link = /href="([^"]*\/privacy-center\/requests\/[^"]+)"/.exec(ack.html)?.[1]?.replace(/&amp;/g, '&') ?? '';
      assert.ok(link, 'the HTML part links to the status page');
      await page.goto(link.replace(/^https?:\/\/[^/]+/, server.url));
      const after = (await page.textContent('main')) ?? '';
      assert.match(after, /手数料のお支払いを確認しました/);
      assert.match(after, /対応中/);
    } finally {
      await person.close();
      await staff.close();
    }
  });
});
