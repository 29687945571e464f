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
