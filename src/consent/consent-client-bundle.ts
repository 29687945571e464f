import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** gzip budget of consent.js, JS and CSS together (the build and a test enforce it). */
export const CONSENT_JS_GZIP_BUDGET = 6 * 1024;

/** The package root: the nearest folder above this module holding mamori's package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && /"name":\s*"mamori"/.test(readFileSync(pkg, 'utf8'))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

let pending: Promise<string | null> | null = null;

/**
 * The bundled consent.js: `dist/client/consent.js`, built with esbuild from `banner/consent.ts` on first use when
 * missing or older than its source (a development checkout). Returns null when neither the bundle nor esbuild is available.
 */
export function loadConsentBundle(root = packageRoot()): Promise<string | null> {
  pending ??= (async () => {
    const out = join(root, 'dist/client/consent.js');
    const entry = join(root, 'banner/consent.ts');
    // In a checkout, a bundle older than its source is rebuilt, so a stale dist/ never hides a change.
    if (existsSync(out) && (!existsSync(entry) || statSync(out).mtimeMs >= statSync(entry).mtimeMs)) return readFileSync(out, 'utf8');
    if (!existsSync(entry)) return null;
    try {
      const esbuild = await import('esbuild');
      const result = await esbuild.build({ entryPoints: [entry], bundle: true, minify: true, format: 'iife', target: ['es2019'], write: false, legalComments: 'none' });
      const code = result.outputFiles[0]?.text ?? '';
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, code);
      // Keep the precompressed copies beside it in step, as scripts/build-client.mjs writes them.
      writeFileSync(`${out}.gz`, gzipSync(code, { level: 9 }));
      writeFileSync(`${out}.br`, brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
      return code;
    } catch {
      pending = null;
      return null;
    }
  })();
  return pending;
}
