// Bundles banner/ (consent.js) with esbuild into dist/client, writes its gzip and brotli forms beside it
// (consent.js.gz, consent.js.br), and fails when the gzip budget is exceeded.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
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
const gz = gzipSync(code, { level: 9 });
const br = brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: code.length } });
writeFileSync('dist/client/consent.js', code);
writeFileSync('dist/client/consent.js.gz', gz);
writeFileSync('dist/client/consent.js.br', br);
console.log(`consent.js: ${code.length} bytes, ${gz.length} bytes gzip, ${br.length} bytes brotli (gzip budget ${CONSENT_JS_GZIP_BUDGET})`);
if (gz.length > CONSENT_JS_GZIP_BUDGET) {
  console.error(`consent.js is over its gzip budget: ${gz.length} > ${CONSENT_JS_GZIP_BUDGET} bytes`);
  process.exit(1);
}
