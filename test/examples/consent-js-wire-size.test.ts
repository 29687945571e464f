import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, existsSync } from 'node:fs';
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { CONSENT_JS_GZIP_BUDGET } from '../../src/consent/consent-client-bundle.ts';
import { loadPolicyFile } from '../../src/policy/load-policy.ts';
import { startConsentServer, type ConsentTestServer } from '../consent/consent-server.ts';

/** node:http, not fetch: fetch would decode the body, and the bytes on the wire are what is measured. */
function get(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

const examples = readdirSync('examples', { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(`examples/${e.name}/policy.yaml`))
  .map((e) => e.name)
  .sort();

describe('/consent.js as served for every example policy stays within the gzip budget on the wire', () => {
  const servers: ConsentTestServer[] = [];
  after(async () => {
    for (const s of servers) await s.close();
  });

  test('there are examples to measure', () => {
    assert.ok(examples.length >= 5, examples.join(', '));
  });

  for (const name of examples) {
    test(`${name}: gzip and brotli bodies of /consent.js are at most ${CONSENT_JS_GZIP_BUDGET} bytes, and the dialog's texts are served apart`, async () => {
      const loaded = loadPolicyFile(`examples/${name}/policy.yaml`);
      assert.ok(loaded.ok, `examples/${name}/policy.yaml loads`);
      const s = await startConsentServer('sqlite', { policy: loaded.loaded });
      servers.push(s);
      const plain = await get(`${s.url}/consent.js`, {});
      assert.equal(plain.status, 200);
      const gz = await get(`${s.url}/consent.js`, { 'accept-encoding': 'gzip' });
      assert.equal(gz.headers['content-encoding'], 'gzip');
      assert.ok(gunzipSync(gz.body).equals(plain.body), 'gzip decodes to the served script');
      assert.ok(gz.body.length <= CONSENT_JS_GZIP_BUDGET, `${name}: ${gz.body.length} bytes gzip on the wire, over ${CONSENT_JS_GZIP_BUDGET}`);
      const br = await get(`${s.url}/consent.js`, { 'accept-encoding': 'br' });
      assert.equal(br.headers['content-encoding'], 'br');
      assert.ok(brotliDecompressSync(br.body).equals(plain.body), 'brotli decodes to the served script');
      assert.ok(br.body.length <= CONSENT_JS_GZIP_BUDGET, `${name}: ${br.body.length} bytes brotli on the wire, over ${CONSENT_JS_GZIP_BUDGET}`);
      process.stdout.write(`# ${name}: /consent.js ${plain.body.length} B, gzip ${gz.body.length} B, brotli ${br.body.length} B (budget ${CONSENT_JS_GZIP_BUDGET})\n`);

      // The texts the script leaves out: public, readable from the operator's pages, cached for good under their version.
      const version = /"v":"([^"]+)"/.exec(plain.body.toString('utf8'))?.[1];
      assert.ok(version, 'the script names its consent version');
      const texts = await get(`${s.url}/api/v1/consent/texts?v=${version}`, { 'accept-encoding': 'gzip' });
      assert.equal(texts.status, 200);
      assert.equal(texts.headers['access-control-allow-origin'], '*');
      assert.equal(texts.headers['cache-control'], 'public, max-age=31536000, immutable');
      const parsed = JSON.parse(gunzipSync(texts.body).toString('utf8')) as { v: string; p: unknown[] };
      const config = (await (await fetch(`${s.url}/api/v1/consent/config`)).json()) as { purposes: Array<{ description: { ja: string } }> };
      assert.equal(parsed.v, version);
      assert.equal(parsed.p.length, config.purposes.length, 'one entry per purpose, in order');
      assert.ok(!plain.body.toString('utf8').includes(config.purposes[0]!.description.ja), 'descriptions are not inlined');
    });
  }
});
