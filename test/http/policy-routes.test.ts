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
import { createTestStore, storeDialects } from '../support/stores.ts';

const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/render/${name}`, import.meta.url));
const load = (name: string) => {
  const source = readFileSync(fixturePath(name), 'utf8');
  const r = parsePolicy(source, fixturePath(name));
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.loaded;
};

for (const dialect of storeDialects) {
  test(`serves the policy file before anything is published, then the version in force, its history and diffs (${dialect})`, async () => {
    const store = await createTestStore(dialect);
    const dataDir = mkdtempSync(join(tmpdir(), 'mamori-policy-http-'));
    const clock = createManualClock('2025-03-01T03:00:00Z');
    const server = await startServer({ policy: load('policy.yaml'), store, clock, env: {}, outboxIntervalMs: 0, config: { port: 0, host: '127.0.0.1', secret: Buffer.alloc(32, 7), dataDir } });
    try {
      const get = (path: string) => fetch(`${server.url}${path}`);

      // Nothing published: the file the server started with, with its own history.
      let res = await get('/privacy');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      let page = await res.text();
      assert.match(page, /<html lang="ja">/);
      assert.match(page, /2019年4月30日（平成31年4月30日）　制定/);
      assert.match(page, /本サービスの利用状況を分析し、改善するため/);
      let api = (await (await get('/api/v1/policy')).json()) as { source: string; version: unknown };
      assert.equal(api.source, 'file');
      assert.equal(api.version, null);

      const v1 = load('policy.yaml');
      const v2 = load('policy-v2.yaml');
      await publishVersion(store, clock, { policy: v1.policy, sourceYaml: v1.source, effectiveOn: '2024-04-01', actor: 'cli' });
      await publishVersion(store, clock, { policy: v2.policy, sourceYaml: v2.source, effectiveOn: '2025-04-01', purposeChange: 'related', actor: 'cli' });

      // Version 2 takes effect on 2025-04-01 (Japan time): until then version 1 is in force, with a notice.
      page = await (await get('/privacy')).text();
      assert.match(page, /第1版（2024年4月1日施行）/);
      assert.match(page, /本ポリシーは2025年4月1日に改定されます/);
      clock.set('2025-03-31T15:00:00Z');
      page = await (await get('/privacy?lang=en')).text();
      assert.match(page, /<html lang="en">/);
      assert.match(page, /Version 2, effective April 1, 2025/);
      assert.match(page, /measure advertising/);
      api = (await (await get('/api/v1/policy')).json()) as { source: string; version: { number: number; purposeChange: string } };
      assert.equal(api.source, 'version');
      assert.deepEqual([(api.version as { number: number }).number, (api.version as { purposeChange: string }).purposeChange], [2, 'related']);

      const md = await get('/privacy?format=md');
      assert.match(md.headers.get('content-type') ?? '', /text\/markdown/);
      assert.match(await md.text(), /^# プライバシーポリシー/);

      page = await (await get('/privacy/versions')).text();
      assert.match(page, /href="\/privacy\/versions\/1\?lang=ja"/);
      assert.match(page, /href="\/privacy\/diff\?from=1&amp;to=2&amp;lang=ja"/);
      assert.match(page, /変更あり（変更前の利用目的と関連性を有する範囲内の変更）/);

      page = await (await get('/privacy/versions/1')).text();
      assert.match(page, /これは第1版（2024年4月1日施行）です/);
      assert.match(page, /改善するため/);

      res = await get('/privacy/diff?from=1&to=2');
      assert.equal(res.status, 200);
      page = await res.text();
      // Each change says in words what it is (screen readers do not announce ins/del), and both texts are there in full.
      assert.match(page, /<del><span style="[^"]+">［削除：<\/span>改善<span style="[^"]+">］<\/span><\/del><ins><span style="[^"]+">［追加：<\/span>広告の効果を測定<span style="[^"]+">］<\/span><\/ins>/);
      assert.match(page, /<h3>変更前（第1版）<\/h3><div style="white-space:pre-wrap">[^<]*改善するため/);
      assert.match(page, /<h3>変更後（第2版）<\/h3><div style="white-space:pre-wrap">[^<]*広告の効果を測定/);
      // Version 2 adds a line to the revision history, so that section is listed as changed too.
      assert.match(page, /<h2 id="diff-[^"]+">\d+\. 改定履歴 <span class="diff-status">（変更）<\/span><\/h2>[\s\S]*?<ins>[\s\S]*?2025年4月1日（令和7年4月1日）　改定（第2版）/);
      assert.match(page, /<h1>プライバシーポリシーの変更点（第1版→第2版）<\/h1>/);
      const text = await (await get('/privacy/diff?format=text&lang=en')).text();
      assert.match(text, /\[-improve it-\]\{\+measure advertising\+\}/);

      const doc = (await (await get('/api/v1/openapi.json')).json()) as { paths: Record<string, unknown> };
      for (const p of ['/privacy', '/privacy/versions', '/privacy/versions/{id}', '/privacy/diff', '/api/v1/policy']) assert.ok(p in doc.paths, `${p} is described`);
    } finally {
      await server.close();
      await store.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

test('bad parameters get 400 with a stable code, a missing version 404', async () => {
  const store = await createTestStore('sqlite');
  const dataDir = mkdtempSync(join(tmpdir(), 'mamori-policy-http-'));
  const server = await startServer({ policy: load('policy.yaml'), store, env: {}, outboxIntervalMs: 0, config: { port: 0, host: '127.0.0.1', secret: Buffer.alloc(32, 7), dataDir } });
  try {
    const code = async (path: string) => {
      const res = await fetch(`${server.url}${path}`, { headers: { accept: 'application/json' } });
      return [res.status, ((await res.json()) as { error: { code: string } }).error.code];
    };
    assert.deepEqual(await code('/privacy?lang=fr'), [400, 'MAMORI_LANG_UNSUPPORTED']);
    assert.deepEqual(await code('/privacy?format=pdf'), [400, 'MAMORI_FORMAT_UNSUPPORTED']);
    assert.deepEqual(await code('/privacy?lang=ja&lang=en'), [400, 'MAMORI_BAD_REQUEST']);
    assert.deepEqual(await code('/privacy/versions/7'), [404, 'MAMORI_POLICY_VERSION_NOT_FOUND']);
    const diff = await fetch(`${server.url}/privacy/diff`);
    assert.equal(diff.status, 404, 'nothing published yet: a page that says so, not MAMORI_BAD_REQUEST');
    const diffPage = await diff.text();
    assert.match(diffPage, /<html lang="ja">/);
    assert.match(diffPage, /まだ公開された版がないため、比較できる変更点はありません。/);
    assert.deepEqual(await code('/api/v1/policy/versions/pv_nope'), [404, 'MAMORI_POLICY_VERSION_NOT_FOUND']);
  } finally {
    await server.close();
    await store.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
