import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { CONSENT_JS_GZIP_BUDGET } from '../../src/consent/consent-client-bundle.ts';
import { pickCoding } from '../../src/http/encoded-body.ts';
import { startConsentServer, type ConsentTestServer } from '../consent/consent-server.ts';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** node:http, not fetch: fetch would decode the body, and the bytes on the wire are what is tested here. */
function get(url: string, headers: Record<string, string>): Promise<Raw> {
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

describe('/consent.js is served compressed', () => {
  let s: ConsentTestServer;
  before(async () => {
    s = await startConsentServer('sqlite');
  });
  after(() => s?.close());

  test('brotli, gzip or none by Accept-Encoding, each decoding to the same bytes, with Vary and its own ETag', async () => {
    const url = `${s.url}/consent.js`;
    const plain = await get(url, {});
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.headers.vary, 'Accept-Encoding');
    const br = await get(url, { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers.vary, 'Accept-Encoding');
    assert.ok(brotliDecompressSync(br.body).equals(plain.body), 'brotli decodes to the same bytes');
    const gz = await get(url, { 'accept-encoding': 'gzip, deflate' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.ok(gunzipSync(gz.body).equals(plain.body), 'gzip decodes to the same bytes');
    assert.equal(Number(gz.headers['content-length']), gz.body.length);
    assert.ok(gz.body.length <= CONSENT_JS_GZIP_BUDGET, `served with the policy's config, ${gz.body.length} bytes gzip is within the budget`);
    assert.ok(br.body.length < gz.body.length && gz.body.length < plain.body.length / 2, `raw ${plain.body.length}, gzip ${gz.body.length}, brotli ${br.body.length}`);
    assert.equal((await get(url, { 'accept-encoding': 'br;q=0, gzip' })).headers['content-encoding'], 'gzip');
    assert.equal((await get(url, { 'accept-encoding': 'identity' })).headers['content-encoding'], undefined);
    const tags = new Set([plain, br, gz].map((r) => r.headers.etag));
    assert.equal(tags.size, 3, 'each representation has its own strong ETag');
  });

  test('revalidation still answers 304 with no body, whichever representation the cache holds', async () => {
    const url = `${s.url}/consent.js`;
    for (const enc of ['br', 'gzip', '']) {
      const first = await get(url, enc ? { 'accept-encoding': enc } : {});
      const etag = String(first.headers.etag);
      const again = await get(url, { 'accept-encoding': 'gzip, br', 'if-none-match': etag });
      assert.equal(again.status, 304, enc || 'identity');
      assert.equal(again.body.length, 0);
      assert.equal(again.headers.vary, 'Accept-Encoding');
    }
    assert.equal((await get(url, { 'accept-encoding': 'br', 'if-none-match': '"other"' })).status, 200);
  });

  test('Accept-Encoding is read with its q-values', () => {
    assert.equal(pickCoding(undefined), null);
    assert.equal(pickCoding('gzip, deflate, br'), 'br');
    assert.equal(pickCoding('br;q=0, gzip;q=0.5'), 'gzip');
    assert.equal(pickCoding('*'), 'br');
    assert.equal(pickCoding('*;q=0, identity'), null);
    assert.equal(pickCoding('deflate'), null);
  });
});
