import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/server.ts';
import { createTestStore } from '../support/stores.ts';
import { renderPreferencesPage } from '../../src/consent/preferences-page.ts';
import { consentConfigOf } from '../../src/consent/consent-config.ts';
import { loadPolicy, MISSKEY_POLICY } from '../requests/request-test-kit.ts';

test('pages a person reaches without a session answer in their language and name the service', async () => {
  const store = await createTestStore('sqlite');
  const dataDir = mkdtempSync(join(tmpdir(), 'mamori-person-lang-'));
  const server = await startServer({ policy: 'examples/misskey-server/policy.yaml', store, env: {}, outboxIntervalMs: 0, config: { port: 0, host: '127.0.0.1', secret: Buffer.alloc(32, 7), dataDir } });
  try {
    const ja = await fetch(`${server.url}/privacy-center/preferences`, { headers: { 'accept-language': 'ja,en;q=0.5' } });
    assert.equal(ja.status, 401);
    const jaPage = await ja.text();
    assert.match(jaPage, /<html lang="ja">/);
    assert.match(jaPage, /ログインが必要です/);
    assert.match(jaPage, /<span class="brand">Misskeyサーバー隠れ家<\/span>/, 'the header names the service, not mamori');
    assert.match(jaPage, /href="\/privacy-center\/preferences\?lang=en"/, 'a language link');

    const en = await fetch(`${server.url}/privacy-center/preferences?lang=en`, { headers: { 'accept-language': 'ja' } });
    assert.equal(en.status, 401);
    assert.match(await en.text(), /Please sign in first/);

    const first = await fetch(`${server.url}/privacy/diff?lang=en`);
    assert.equal(first.status, 404);
    assert.match(await first.text(), /No version has been published yet/);
  } finally {
    await server.close();
    await store.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the preferences page gives each purpose its own name and shows no empty list of external services', () => {
  const config = consentConfigOf(loadPolicy(MISSKEY_POLICY).policy);
  const page = renderPreferencesPage({ lang: 'ja', config, decisions: {}, csrf: 'x', saved: false, policyUrl: '/privacy?lang=ja', service: 'Misskeyサーバー隠れ家' });
  const titles = [...page.matchAll(/<(?:legend|li)><strong>([^<]+)<\/strong>/g)].map((m) => m[1]);
  assert.ok(titles.length >= 2);
  assert.equal(new Set(titles).size, titles.length, `distinct purpose names: ${titles.join(' / ')}`);
  assert.doesNotMatch(page, /<summary>利用する外部サービス<\/summary><ul><\/ul>/);
  assert.match(page, /<span class="brand">Misskeyサーバー隠れ家<\/span>/);
});

test('the correction form asks for the current and the correct value, and staff read both', async () => {
  const store = await createTestStore('sqlite');
  const dataDir = mkdtempSync(join(tmpdir(), 'mamori-person-corr-'));
  const server = await startServer({ policy: 'examples/misskey-server/policy.yaml', store, env: {}, outboxIntervalMs: 0, config: { port: 0, host: '127.0.0.1', secret: Buffer.alloc(32, 7), dataDir } });
  try {
    const form = await (await fetch(`${server.url}/privacy-center/new?kind=correction&lang=ja`)).text();
    assert.match(form, /<label for="current_value">訂正を求める情報の現在の内容（必須）<\/label>/);
    assert.match(form, /<label for="correct_value">正しい内容（必須）<\/label>/);
    assert.match(form, /aria-current="step">1\. ご請求の内容/);

    const post = (fields: Record<string, string>) => {
      const body = new FormData();
      for (const [k, v] of Object.entries({ kind: 'correction', lang: 'ja', applicant: 'self', email: 'kei@example.jp', ...fields })) body.set(k, v);
      return fetch(`${server.url}/privacy-center/requests?lang=ja`, { method: 'POST', body, redirect: 'manual' });
    };
    const missing = await post({ description: '' });
    assert.equal(missing.status, 400);
    const page = await missing.text();
    assert.match(page, /訂正を求める情報の現在の内容を入力してください。/);
    assert.match(page, /正しい内容を入力してください。/);

    const filed = await post({ current_value: '生年月日 1990年1月2日', correct_value: '生年月日 1990年2月1日', description: '' });
    assert.equal(filed.status, 303);
    const row = await store.db.selectFrom('requests').select('description').where('kind', '=', 'correction').executeTakeFirstOrThrow();
    assert.equal(row.description, '【現在の内容】\n生年月日 1990年1月2日\n\n【正しい内容】\n生年月日 1990年2月1日');
  } finally {
    await server.close();
    await store.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
