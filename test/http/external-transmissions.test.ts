import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createManualClock } from '../../src/clock.ts';
import { parsePolicy } from '../../src/policy/load-policy.ts';
import { publishVersion } from '../../src/policy/policy-versions.ts';
import { startServer } from '../../src/server.ts';
import { createTestStore } from '../support/stores.ts';

const examplePath = (name: string) => fileURLToPath(new URL(`../../examples/${name}/policy.yaml`, import.meta.url));
function load(name: string, edit: (source: string) => string = (s) => s) {
  const source = edit(readFileSync(examplePath(name), 'utf8'));
  const r = parsePolicy(source, examplePath(name));
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.loaded;
}

test('publishes 外部送信 at /privacy/external-transmissions (ja/en), links it from the policy, versions it, and serves the same items in /api/v1/policy and consent.js', async () => {
  const store = await createTestStore('sqlite');
  const dataDir = mkdtempSync(join(tmpdir(), 'mamori-ext-http-'));
  const clock = createManualClock('2025-03-01T03:00:00Z');
  const policy = load('social-network');
  const server = await startServer({ policy, store, clock, env: {}, outboxIntervalMs: 0, config: { port: 0, host: '127.0.0.1', secret: Buffer.alloc(32, 7), dataDir } });
  try {
    const get = (path: string) => fetch(`${server.url}${path}`);

    let res = await get('/privacy/external-transmissions');
    assert.equal(res.status, 200);
    let page = await res.text();
    assert.match(page, /<html lang="ja">/);
    assert.match(page, /外部送信に関する公表事項/);
    assert.match(page, /電気通信事業法第27条の12/);
    assert.match(page, /同条の対象となる役務のうち、ソーシャル・ネットワーキング・サービスに該当します/);
    assert.match(page, /株式会社アドネットワーク（架空の例）/);
    assert.match(page, /株式会社メジャメント（架空の例）/);
    assert.match(page, /広告の表示回数を集計し、広告主に報告するため/);
    assert.match(page, /href="https:\/\/mixi.jp\/settings\/ads"/);
    assert.match(page, /<code>beacon.measurement.example<\/code>/);

    page = await (await get('/privacy/external-transmissions?lang=en')).text();
    assert.match(page, /<html lang="en">/);
    assert.match(page, /AdNetwork K.K. \(a fictional example\)/);
    assert.match(page, /Telecommunications Business Act/);
    assert.equal((await get('/privacy/external-transmissions?lang=fr')).status, 400);

    // The policy carries a section with the table and a link to the page.
    page = await (await get('/privacy')).text();
    assert.match(page, /外部送信について/);
    assert.match(page, /href="\/privacy\/external-transmissions\?lang=ja"/);

    // The API gives the same items.
    const api = (await (await get('/api/v1/policy')).json()) as { externalTransmissions: { applies: boolean; serviceKinds: string[]; transmissions: Array<{ recipient: { ja: string }; route: { kind: string; url: string }; hosts: string[] }> } };
    assert.equal(api.externalTransmissions.applies, true);
    assert.deepEqual(api.externalTransmissions.serviceKinds, ['sns']);
    assert.deepEqual(api.externalTransmissions.transmissions.map((t) => [t.recipient.ja, t.route.kind, t.route.url, t.hosts]), [
      ['株式会社アドネットワーク（架空の例）', 'opt_out', 'https://mixi.jp/settings/ads', ['ads.adnetwork.example']],
      ['株式会社メジャメント（架空の例）', 'opt_out', 'https://mixi.jp/settings/ads', ['beacon.measurement.example']],
    ]);

    // consent.js carries the page's link; the recipients for its settings view come with the dialog's texts.
    const script = await (await get('/consent.js')).text();
    assert.match(script, /"x":"http:\/\/[^"]+\/privacy\/external-transmissions"/);
    const texts = await (await get(`/api/v1/consent/texts?v=${/"v":"([^"]+)"/.exec(script)?.[1] ?? ''}`)).text();
    assert.match(texts, /株式会社アドネットワーク（架空の例）、株式会社メジャメント（架空の例）/);

    // Versioned like the policy: a published version keeps what was published then.
    await publishVersion(store, clock, { policy: policy.policy, sourceYaml: policy.source, effectiveOn: '2024-04-01', actor: 'cli' });
    const v2 = load('social-network', (s) => s.replace('株式会社メジャメント（架空の例）', '株式会社ビーコン（架空の例）'));
    await publishVersion(store, clock, { policy: v2.policy, sourceYaml: v2.source, effectiveOn: '2025-02-01', actor: 'cli' });
    page = await (await get('/privacy/external-transmissions')).text();
    assert.match(page, /株式会社ビーコン（架空の例）/);
    assert.match(page, /第2版/);
    page = await (await get('/privacy/external-transmissions?version=1')).text();
    assert.match(page, /株式会社メジャメント（架空の例）/);
    assert.doesNotMatch(page, /株式会社ビーコン/);
    assert.equal((await get('/privacy/external-transmissions?version=9')).status, 404);
  } finally {
    await server.close();
    await store.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('an out-of-scope service gets no policy section, and its page says the rule does not apply', async () => {
  const store = await createTestStore('sqlite');
  const dataDir = mkdtempSync(join(tmpdir(), 'mamori-ext-http-'));
  const server = await startServer({ policy: load('hosting'), store, env: {}, outboxIntervalMs: 0, config: { port: 0, host: '127.0.0.1', secret: Buffer.alloc(32, 7), dataDir } });
  try {
    const policyPage = await (await fetch(`${server.url}/privacy`)).text();
    assert.doesNotMatch(policyPage, /外部送信について/);
    const page = await (await fetch(`${server.url}/privacy/external-transmissions`)).text();
    assert.match(page, /対象となる役務には該当しません/);
    assert.match(page, /Google LLC/);
  } finally {
    await server.close();
    await store.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
