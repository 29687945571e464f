import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { CONSENT_JS_GZIP_BUDGET } from '../../src/consent/consent-client-bundle.ts';

test('consent.js (JS and its inlined CSS) stays within 6 KB gzip', async () => {
  const result = await build({ entryPoints: ['banner/consent.ts'], bundle: true, minify: true, format: 'iife', target: ['es2019'], write: false, legalComments: 'none' });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  assert.ok(code.length > 1000, 'the bundle is not empty');
  assert.equal(result.outputFiles.length, 1, 'no separate CSS file: the styles are inside the script');
  const gz = gzipSync(code, { level: 9 }).length;
  assert.ok(gz <= CONSENT_JS_GZIP_BUDGET, `consent.js is ${gz} bytes gzip, over the ${CONSENT_JS_GZIP_BUDGET}-byte budget`);
});
