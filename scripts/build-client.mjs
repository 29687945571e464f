// Bundles banner/ (consent.js) with esbuild into dist/client and fails when the gzip budget is exceeded.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const CONSENT_JS_GZIP_BUDGET = 6 * 1024;

const entry = 'banner/consent.ts';
mkdirSync('dist/client', { recursive: true });
if (!existsSync(entry)) {
  console.log('build-client: banner/consent.ts not present yet, nothing to bundle');
  process.exit(0);
}
const result = await build({ entryPoints: [entry], bundle: true, minify: true, format: 'iife', target: ['es2019'], write: false, legalComments: 'none' });
const code = result.outputFiles[0].contents;
const gz = gzipSync(code, { level: 9 }).length;
writeFileSync('dist/client/consent.js', code);
console.log(`consent.js: ${code.length} bytes, ${gz} bytes gzip (budget ${CONSENT_JS_GZIP_BUDGET})`);
if (gz > CONSENT_JS_GZIP_BUDGET) {
  console.error(`consent.js is over its gzip budget: ${gz} > ${CONSENT_JS_GZIP_BUDGET} bytes`);
  process.exit(1);
}
