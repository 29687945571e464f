import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mailSender } from '../../src/mail/mail-sender.ts';
import { mailHtml } from '../../src/mail/templates/mail-html.ts';
import { codeFromMail, MISSKEY_POLICY, postJson, startApp } from './request-test-kit.ts';

describe('mail to people', () => {
  test('the sender shows the service name unless the operator set one', () => {
    assert.equal(mailSender('mamori <privacy@localhost>', 'Misskeyサーバー隠れ家'), '"Misskeyサーバー隠れ家" <privacy@localhost>');
    assert.equal(mailSender('privacy@kakurega.example', 'Misskeyサーバー隠れ家'), '"Misskeyサーバー隠れ家" <privacy@kakurega.example>');
    assert.equal(mailSender('"隠れ家 窓口" <desk@kakurega.example>', 'Misskeyサーバー隠れ家'), '"隠れ家 窓口" <desk@kakurega.example>');
  });

  test('the HTML part escapes text and links exactly the addresses in the text', () => {
    const out = mailHtml('<b>注意</b>\n\n手続きの状況: https://privacy.example/privacy-center/requests/req_1?token=a&lang=ja', { lang: 'ja', service: '隠れ家' });
    assert.match(out, /&lt;b&gt;注意&lt;\/b&gt;/);
    assert.match(out, /<a href="https:\/\/privacy\.example\/privacy-center\/requests\/req_1\?token=a&amp;lang=ja"/);
  });

  test('request mails arrive through SMTP as HTML with a plain-text alternative, from the service, with working links', async () => {
    const app = await startApp('sqlite', MISSKEY_POLICY, { start: '2026-11-30T16:35:00Z' });
    try {
      const email = 'mio@example.jp';
      const filed = await postJson(`${app.url}/api/v1/requests`, { kind: 'disclosure', email, description: 'アカウント情報', delivery: 'electronic', lang: 'ja' });
      const id = String(filed.json.id);
      await postJson(`${app.url}/api/v1/requests/${id}/verify`, { code: await codeFromMail(app, email) }, { 'x-request-token': String(filed.json.token) });
      await app.drain();
      const pay = await app.smtp.waitFor({ to: email, subject: /手数料のお支払いのお願い/ });
      assert.equal(pay.from?.value[0]?.name, 'Misskeyサーバー隠れ家');
      assert.ok(pay.text && pay.text.includes('お支払い番号'), 'plain-text part');
      assert.ok(typeof pay.html === 'string' && pay.html.includes('お支払い番号'), 'HTML part');
      assert.doesNotMatch(pay.text, /\d{4}-\d{2}-\d{2}/);
      const hrefs = [...pay.html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
      const statusLink = hrefs.find((h) => h.includes('/privacy-center/requests/'));
      assert.ok(statusLink, 'the status link is clickable');
      assert.ok(pay.text.includes(statusLink), 'the same link as in the text part');
      const res = await fetch(statusLink.replace('http://mamori.test', app.url));
      assert.equal(res.status, 200);
      assert.match(await res.text(), /手数料のお支払いのお願い/);
    } finally {
      await app.close();
    }
  });
});
