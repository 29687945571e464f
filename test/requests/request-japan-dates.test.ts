import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { strFromU8, unzipSync } from 'fflate';
import { formatJapanDate, formatJapanDateTime, formatLetterDate, japanDay, japanTimestamp } from '../../src/dates/japan-date.ts';
import { codeFromMail, getJson, MISSKEY_POLICY, postJson, startApp } from './request-test-kit.ts';

/** 01:35:39 JST on 1 December 2026 is still 30 November in UTC. */
const DECIDED_AT = '2026-11-30T16:35:39.463Z';

describe('dates a person reads are the day in Japan, written the Japanese way', () => {
  test('the date module turns the UTC evening of 30 November into 1 December', () => {
    assert.equal(japanDay(DECIDED_AT), '2026-12-01');
    assert.equal(formatJapanDate(DECIDED_AT, 'ja'), '2026年12月1日');
    assert.equal(formatJapanDate(DECIDED_AT, 'en'), 'December 1, 2026');
    assert.equal(formatLetterDate(DECIDED_AT, 'ja'), '2026年12月1日（令和8年12月1日）');
    assert.equal(formatJapanDateTime(DECIDED_AT, 'ja'), '2026年12月1日 1:35（日本時間）');
    assert.equal(japanTimestamp(DECIDED_AT), '2026-12-01T01:35:39+09:00');
    assert.equal(formatJapanDate('2026-12-01', 'ja'), '2026年12月1日', 'a calendar day is taken as it is');
  });

  test('a disclosure decided at 01:35 JST on 1 December says 12月1日 in the ZIP, the letter, the mails and the status page', async () => {
    const app = await startApp('sqlite', MISSKEY_POLICY, { start: '2026-11-30T16:00:00Z' });
    try {
      const email = 'yuki@example.jp';
      const filed = await postJson(`${app.url}/api/v1/requests`, { kind: 'disclosure', email, account_id: 'yuki', description: 'アカウント情報', delivery: 'electronic', lang: 'ja' });
      assert.equal(filed.status, 201, JSON.stringify(filed.json));
      const id = String(filed.json.id);
      const token = String(filed.json.token);
      const verified = await postJson(`${app.url}/api/v1/requests/${id}/verify`, { code: await codeFromMail(app, email) }, { 'x-request-token': token });
      assert.equal(verified.status, 200, JSON.stringify(verified.json));
      await app.service.markPaid('staff:st_1', id, { method: 'bank_transfer', reference: '12345678', amount: 1500 });
      await app.drain();
      const received = await app.smtp.waitFor({ to: email, subject: /受け付けました|お支払い/ });
      assert.doesNotMatch(received.text ?? '', /\d{4}-\d{2}-\d{2}/, 'no ISO date in a mail');

      await app.service.addGatheredData('staff:st_1', id, { source: 'manual', title: { ja: 'アカウント情報', en: 'Account' }, groups: [{ name: 'users', rows: [{ username: 'yuki' }] }] });
      app.clock.set(DECIDED_AT);
      await app.service.decide('staff:st_1', id, { outcome: 'full' });
      const letter = await app.service.letterHtml('staff:st_1', id);
      assert.match(letter, /2026年12月1日（令和8年12月1日）/);
      assert.match(letter, /ご請求者 様/);
      assert.match(letter, /Misskeyサーバー隠れ家 運営者 佐藤 陽菜<br>〒150-0002/);
      assert.doesNotMatch(letter, /2026-11-30|2026-12-01/);

      await app.service.deliver('staff:st_1', id);
      await app.drain();
      const delivered = await app.smtp.waitFor({ to: email, subject: /開示内容のお届け/ });
      const validity = /リンクの有効期限: (\S+?)まで/.exec(delivered.text ?? '')?.[1];
      assert.equal(validity, '2026年12月15日', 'delivered at 01:35 JST on 1 December plus 14 days');
      const link = /(http:\/\/mamori\.test\/api\/v1\/requests\/\S+)/.exec(delivered.text ?? '')?.[1];
      assert.ok(link);

      const page = await (await fetch(`${app.url}/privacy-center/requests/${id}?token=${encodeURIComponent(token)}&lang=ja`)).text();
      assert.match(page, /決定日: 2026年12月1日/);
      assert.ok(page.includes(`有効期限: ${validity}まで`), 'the page promises the same day as the mail');

      const files = unzipSync(new Uint8Array(await (await fetch(link.replace('http://mamori.test', app.url))).arrayBuffer()));
      const index = strFromU8(files['index.html']!);
      assert.match(index, /<dt>決定日<\/dt><dd>2026年12月1日<\/dd>/);
      assert.match(index, /2026年12月1日 1:35（日本時間）/);
      assert.match(index, /当サーバーが保有するあなたの個人データ/, 'an individual running a server says 当サーバー, as its policy does');
      assert.doesNotMatch(index, /当社/);
      assert.doesNotMatch(index, /\d{4}-\d{2}-\d{2}T/, 'no raw ISO timestamp in the readable page');
      const json = strFromU8(files['data.json']!);
      assert.doesNotMatch(json, /T\d{2}:\d{2}:\d{2}(\.\d+)?Z/, 'machine-readable times carry the Japan offset');
      assert.match(json, /2026-12-01T01:35:39\+09:00/);
      const status = await getJson(`${app.url}/api/v1/requests/${id}`, { 'x-request-token': token });
      assert.equal(status.json.state, 'delivered');
    } finally {
      await app.close();
    }
  });

  test('a paper disclosure is one letter: dated in Japan with 令和, addressed, the operator named once, one top heading', async () => {
    const app = await startApp('sqlite', MISSKEY_POLICY, { start: '2026-11-30T16:00:00Z' });
    try {
      const email = 'aoi@example.jp';
      const filed = await postJson(`${app.url}/api/v1/requests`, { kind: 'disclosure', email, description: '登録情報', delivery: 'paper', lang: 'ja' });
      const id = String(filed.json.id);
      await postJson(`${app.url}/api/v1/requests/${id}/verify`, { code: await codeFromMail(app, email) }, { 'x-request-token': String(filed.json.token) });
      await app.service.markPaid('staff:st_1', id, { method: 'bank_transfer', reference: '12345678', amount: 1500 });
      await app.service.addGatheredData('staff:st_1', id, { source: 'manual', title: { ja: 'アカウント情報', en: 'Account' }, groups: [{ name: 'アカウント情報', rows: [{ username: 'aoi' }] }] });
      app.clock.set(DECIDED_AT);
      await app.service.decide('staff:st_1', id, { outcome: 'full' });
      await app.service.deliver('staff:st_1', id);
      const letter = await app.service.letterHtml('staff:st_1', id);
      assert.match(letter, /2026年12月1日（令和8年12月1日）/);
      assert.match(letter, /ご請求者 様/);
      assert.equal(letter.match(/<h1>/g)?.length, 1, 'one top-level heading');
      assert.equal(letter.split('Misskeyサーバー隠れ家 運営者 佐藤 陽菜').length - 1, 1, 'the operator is named once');
      assert.equal(letter.match(/アカウント情報<\/h[23]>/g)?.length, 1, 'a group named like its section is not a second heading');
      assert.match(letter, /<dd>2026年12月1日<\/dd>/);
    } finally {
      await app.close();
    }
  });
});
