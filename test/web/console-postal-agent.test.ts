import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { createStaffUser } from '../../src/staff/staff-users.ts';
import { storeDialects } from '../support/stores.ts';
import { startTestServer, type TestServer } from '../staff/console-helpers.ts';
import { launchChromium } from './web-support.ts';

const STAFF = { email: 'desk@example.jp', password: 'desk password long enough' };
const OFFICER = { email: 'dpo@example.jp', password: 'officer password long enough' };
const pdf = (name: string) => ({ name, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4\n% ${name}\n%%EOF\n`) });

describe('staff console in Chromium: a postal disclosure by an agent on the hosting example (¥5,500)', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => browser.close());

  for (const dialect of storeDialects) {
    describe(`on ${dialect}`, () => {
      let server: TestServer;
      before(async () => {
        server = await startTestServer(dialect, { policy: 'examples/hosting/policy.yaml' });
        await createStaffUser(server.ctx.store.db, server.ctx.clock, { email: STAFF.email, role: 'staff', password: STAFF.password, actor: 'cli' });
        await createStaffUser(server.ctx.store.db, server.ctx.clock, { email: OFFICER.email, role: 'officer', password: OFFICER.password, actor: 'cli' });
      });
      after(async () => server.stop());

      test('staff enter the letter with its scans, confirm the agent, record the fee, the officer decides, staff print the letter and close', async () => {
        const context = await browser.newContext({ locale: 'ja-JP' });
        context.setDefaultTimeout(5000);
        try {
          const page = await context.newPage();
          // The hosting example takes requests by post only: the privacy center says where and with what.
          await page.goto(`${server.url}/privacy-center`);
          const center = await page.textContent('main') ?? '';
          assert.match(center, /ウェブからのご請求はお受けしていません/);
          assert.match(center, /5,500円（税込）/);
          assert.match(center, /委任状/);
          assert.equal(await page.locator('main form').count(), 0, 'no online form to fill');
          const signIn = async (who: { email: string; password: string }) => {
            await page.goto(`${server.url}/console/login`);
            await page.getByLabel('メールアドレス').fill(who.email);
            await page.getByLabel('パスワード').fill(who.password);
            await page.getByRole('button', { name: 'サインイン' }).click();
            await page.waitForURL(`${server.url}/console`);
          };
          await signIn(STAFF);
          await page.getByRole('link', { name: '請求の登録' }).click();
          await page.getByLabel('受付経路').selectOption('postal_requests');
          await page.getByLabel('請求の種類').selectOption('disclosure');
          await page.getByLabel('請求の内容').fill('契約者情報と請求履歴の開示。郵送にて回答希望。');
          await page.getByLabel('書面（郵送）').check();
          await page.getByLabel('代理人の種類').selectOption('mandated');
          await page.getByLabel('代理人の氏名').fill('山田 太郎');
          await page.getByLabel('ご本人との関係').fill('ご本人から委任を受けた弁護士');
          await page.getByLabel('請求書（スキャン）').setInputFiles(pdf('request-form.pdf'));
          await page.getByLabel('本人確認書類').setInputFiles(pdf('license.pdf'));
          await page.getByLabel('委任状', { exact: true }).setInputFiles(pdf('poa.pdf'));
          await page.getByLabel('委任状に押印した印鑑の印鑑登録証明書').setInputFiles(pdf('seal.pdf'));
          await page.getByRole('button', { name: '請求を登録する' }).click();
          await page.waitForURL(/\/console\/requests\/req_[^/]+$/);
          const requestUrl = page.url().split('?')[0] ?? '';
          let main = await page.textContent('main') ?? '';
          assert.match(main, /郵送/);
          assert.match(main, /山田 太郎/);
          for (const f of ['request-form.pdf', 'license.pdf', 'poa.pdf', 'seal.pdf']) assert.ok(main.includes(f), `scan ${f} attached`);
          assert.match(main, /5,500円/);

          // A scan opens for staff, and that access is recorded.
          const scan = await page.request.get(`${server.url}${await page.getByRole('link', { name: /poa\.pdf/ }).getAttribute('href')}`);
          assert.equal(scan.status(), 200);
          assert.match((await scan.body()).toString('latin1'), /^%PDF-/);

          await page.getByLabel('確認した内容（記録用。申告された識別子も確認する場合は必須）').fill('運転免許証、委任状、印鑑登録証明書を照合');
          await page.getByRole('button', { name: '確認済みにする' }).click();
          await page.waitForSelector('text=手数料のお支払い待ち');
          await page.getByLabel('照合番号（振込名義・決済番号など）').fill('ヤマダ タロウ 振込');
          await page.getByRole('button', { name: '入金済みにする' }).click();
          await page.waitForSelector('text=入金済');
          await page.getByLabel('見出し（システム名など）').fill('契約管理システム');
          await page.getByLabel('内容（1行に「項目: 値」）').fill('契約プラン: ビジネス\n契約開始日: 2023-04-01');
          await page.getByRole('button', { name: '追加する' }).click();
          await page.waitForSelector('text=契約管理システム');

          // Staff cannot decide: the decision form is the officer's.
          assert.equal(await page.getByRole('button', { name: '決定を記録して通知する' }).count(), 0);
          await page.getByRole('button', { name: 'サインアウト' }).click();
          await page.waitForURL(/\/console\/login/);
          await signIn(OFFICER);
          await page.goto(requestUrl);
          await page.getByRole('radio', { name: '一部対応' }).check();
          await page.getByLabel('法令上の根拠（一部対応・不対応・代替措置のとき必須）').selectOption('serious_business_hindrance');
          await page.getByLabel(/決定は記録後に変更できず/).check();
          await page.getByRole('button', { name: '決定を記録して通知する' }).click();
          await page.waitForSelector('#message');
          assert.match(await page.textContent('#message') ?? '', /MAMORI_REQUEST_REASON_REQUIRED|MAMORI_VALIDATION_FAILED/, 'a partial decision without a written reason is refused');
          await page.getByRole('radio', { name: '一部対応' }).check();
          await page.getByLabel('法令上の根拠（一部対応・不対応・代替措置のとき必須）').selectOption('serious_business_hindrance');
          await page.getByLabel('理由（36条：請求者に通知されます）').fill('社内の不正調査に関する記録は、開示すると調査の実施に著しい支障を及ぼすおそれがあるため、開示を控えます。');
          await page.getByLabel(/決定は記録後に変更できず/).check();
          await page.getByRole('button', { name: '決定を記録して通知する' }).click();
          await page.waitForSelector('text=決定済み（お届け準備中）');
          await page.getByLabel(/お届けすると取り消せません/).check();
          await page.getByRole('button', { name: 'お届けする' }).last().click();
          await page.waitForSelector('text=お届け済み');
          const letter = await page.request.get(`${requestUrl}/letter`);
          assert.equal(letter.status(), 200);
          const letterText = await letter.text();
          assert.match(letterText, /33条2項2号/);
          assert.match(letterText, /契約管理システム/);
          await page.getByRole('button', { name: '完了にする' }).last().click();
          await page.waitForSelector('text=請求を完了にしました');
          main = await page.textContent('main') ?? '';
          for (const step of ['受付（スタッフ登録）', '本人確認完了', '手数料の入金', '決定', 'お届け', '添付ファイルの閲覧', '書面の表示']) assert.ok(main.includes(step), `timeline shows ${step}`);
        } finally {
          await context.close();
        }
      });
    });
  }
});
