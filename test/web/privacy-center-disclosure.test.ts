import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { unzipSync, strFromU8 } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { createStaffUser } from '../../src/staff/staff-users.ts';
import { storeDialects } from '../support/stores.ts';
import { startTestServer, type TestServer } from '../staff/console-helpers.ts';
import { launchChromium, lastMail, startMailbox } from './web-support.ts';

const PERSON = 'hanako@example.jp';
const OFFICER = { email: 'officer@example.jp', password: 'officer password long enough' };

/** Tabs through the page and returns the ids (or text) of every control that took the focus. */
async function tabStops(page: Page, max = 80): Promise<string[]> {
  await page.locator('body').focus();
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return '';
      // A radio group is one tab stop; arrow keys move within it.
      if (el instanceof HTMLInputElement && el.type === 'radio') return `radio:${el.name}`;
      return el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}:${(el.textContent ?? '').trim().slice(0, 30)}`;
    });
    if (seen.includes(id)) break;
    seen.push(id);
  }
  return seen;
}

/** Every visible focusable control inside <main> (ids where present; radio groups by name), as the keyboard should reach them. */
async function controlsInMain(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('main a[href], main input:not([type=hidden]), main select, main textarea, main button')).filter((el) => el.checkVisibility()).map((el) =>
      el instanceof HTMLInputElement && el.type === 'radio' ? `radio:${el.name}` : el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}:${(el.textContent ?? '').trim().slice(0, 30)}`,
    ),
  );
}

describe('privacy center and console in Chromium: a Misskey disclosure with the ¥1,500 fee', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => browser.close());

  for (const dialect of storeDialects) {
    describe(`on ${dialect}`, () => {
      let server: TestServer;
      let mailbox: Awaited<ReturnType<typeof startMailbox>>;
      before(async () => {
        mailbox = await startMailbox();
        server = await startTestServer(dialect, { transport: mailbox.transport });
        await createStaffUser(server.ctx.store.db, server.ctx.clock, { email: OFFICER.email, role: 'officer', password: OFFICER.password, actor: 'cli' });
      });
      after(async () => {
        await server.stop();
        await mailbox.close();
      });

      test('a person files and verifies by code, staff mark paid, gather, decide and deliver, the person downloads the package', async () => {
        const person = await browser.newContext({ locale: 'ja-JP', acceptDownloads: true });
        const staff = await browser.newContext({ locale: 'ja-JP' });
        person.setDefaultTimeout(5000);
        staff.setDefaultTimeout(5000);
        try {
          const page = await person.newPage();
          await page.goto(`${server.url}/privacy-center`);
          assert.equal(await page.getAttribute('html', 'lang'), 'ja');
          await page.getByLabel('開示（第三者提供記録を含む）').check();
          await page.getByRole('button', { name: '次へ進む' }).click();
          await page.waitForURL(/\/privacy-center\/new\?/);

          // Every control of the form is reachable with the keyboard alone.
          if (dialect === 'sqlite') {
            // Pages do not depend on the database: check the keyboard once.
            const stops = await tabStops(page);
            for (const control of await controlsInMain(page)) assert.ok(stops.includes(control), `keyboard reaches ${control}`);
          }

          // A mistake first: the error summary links to the field.
          await page.getByRole('button', { name: 'この内容で請求する' }).click();
          await page.waitForSelector('#error-summary');
          assert.match(await page.textContent('#error-summary') ?? '', /メールアドレスを入力してください/);
          assert.equal(await page.getAttribute('#email', 'aria-invalid'), 'true');
          assert.equal(await page.evaluate(() => document.activeElement?.id), 'error-summary', 'focus lands on the summary');
          await page.getByRole('link', { name: /メールアドレスを入力してください/ }).click();
          assert.equal(await page.evaluate(() => document.activeElement?.id), 'email', 'the summary link moves focus to the field');

          await page.getByLabel('ご連絡先のメールアドレス（必須）').fill(PERSON);
          await page.getByLabel('アカウントID（任意）').fill('hanako');
          await page.getByLabel('ご請求の内容（必須）').fill('登録情報と投稿、ログイン履歴の開示をお願いします。');
          await page.getByLabel('電磁的記録（このページからダウンロード）').check();
          await page.getByRole('button', { name: 'この内容で請求する' }).click();
          await page.waitForURL(/\/verify\?/);

          await server.ctx.outbox.drainOnce();
          const codeMail = lastMail(mailbox.mails, PERSON);
          assert.ok(codeMail, 'the code mail arrived over SMTP');
          const code = /\b(\d{6})\b/.exec(codeMail.text)?.[1];
          assert.ok(code, 'the mail carries a 6-digit code');
          await page.getByLabel('確認コード（6桁の数字）').fill(code);
          await page.getByRole('button', { name: '確認する' }).click();
          await page.waitForURL(/\/privacy-center\/requests\/req_[^/?]+\?token=/);
          const statusUrl = page.url();
          const main = await page.textContent('main') ?? '';
          assert.match(main, /手数料のお支払いのお願い/);
          assert.match(main, /1,500円/);
          assert.match(main, /銀行振込/);
          const requestId = /requests\/(req_[^?]+)/.exec(statusUrl)?.[1] ?? '';

          // Staff side.
          const console = await staff.newPage();
          await console.goto(`${server.url}/console`);
          await console.waitForURL(/\/console\/login/);
          await console.getByLabel('メールアドレス').fill(OFFICER.email);
          await console.getByLabel('パスワード').fill(OFFICER.password);
          await console.getByRole('button', { name: 'サインイン' }).click();
          await console.waitForURL(`${server.url}/console`);
          await console.getByRole('link', { name: requestId }).click();
          await console.waitForURL(new RegExp(`/console/requests/${requestId}$`));
          assert.match(await console.textContent('main') ?? '', new RegExp(PERSON.replace('.', '\\.')));

          if (dialect === 'sqlite') {
            const consoleStops = await tabStops(console, 120);
            for (const control of await controlsInMain(console)) assert.ok(consoleStops.includes(control), `keyboard reaches ${control} in the console`);
          }

          await console.getByLabel('照合番号（振込名義・決済番号など）').fill('ハナコ 振込 0401');
          await console.getByRole('button', { name: '入金済みにする' }).click();
          await console.waitForSelector('text=対応中');
          await console.getByLabel('見出し（システム名など）').fill('Misskey アカウント');
          await console.getByLabel('内容（1行に「項目: 値」）').fill('ユーザー名: hanako\n登録日: 2024-05-01');
          await console.getByRole('button', { name: '追加する' }).click();
          await console.waitForSelector('text=Misskey アカウント');
          await console.getByLabel(/決定は記録後に変更できず/).check();
          await console.getByRole('button', { name: '決定を記録して通知する' }).click();
          await console.waitForSelector('text=決定済み（お届け準備中）');
          await console.getByLabel(/お届けすると取り消せません/).check();
          await console.getByRole('button', { name: 'お届けする' }).last().click();
          await console.waitForSelector('text=お届け済み');
          const timeline = await console.textContent('main') ?? '';
          for (const step of ['受付（ウェブ）', 'メールアドレス確認', '手数料の入金', '決定', 'お届け', '閲覧（スタッフ）']) assert.ok(timeline.includes(step), `timeline shows ${step}`);

          await server.ctx.outbox.drainOnce();
          assert.ok(lastMail(mailbox.mails, PERSON, /決定/), 'decision mail');
          assert.ok(lastMail(mailbox.mails, PERSON, /./)?.text.includes('ダウンロード') || mailbox.mails.some((m) => m.text.includes('/package?download=')), 'delivery mail with the download link');

          // The person downloads the package from the status page.
          await page.goto(statusUrl);
          const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '開示データをダウンロード' }).click()]);
          const path = await download.path();
          const { readFileSync } = await import('node:fs');
          const files = unzipSync(readFileSync(path));
          assert.ok(files['index.html'], 'the package has a readable index.html');
          assert.ok(files['data.json'], 'and data.json');
          assert.match(strFromU8(files['index.html']), /hanako/);
          const counted = await server.ctx.store.db.selectFrom('request_packages').select('download_count').where('request_id', '=', requestId).executeTakeFirstOrThrow();
          assert.equal(Number(counted.download_count), 1, 'the download is recorded');
        } finally {
          await person.close();
          await staff.close();
        }
      });
    });
  }
});
