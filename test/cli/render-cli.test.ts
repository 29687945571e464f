import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCliCaptured } from './render-cli-support.ts';
import { runMamori } from '../support/cli.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = join(root, 'test', 'fixtures', 'render', 'policy.yaml');

const mamori = (args: string[]) => runMamori(args, { env: { DATABASE_URL: 'sqlite::memory:', MAMORI_BASE_URL: 'https://privacy.example.jp' } });

describe('mamori render', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'mamori-render-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('bin/mamori.js writes the Japanese HTML policy to stdout by default', async () => {
    const r = await mamori(['render', fixture]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^<!doctype html><html lang="ja">/);
    assert.match(r.stdout, /<h2 id="rights">14\. 保有個人データの開示等の請求<\/h2>/);
    assert.match(r.stdout, /1,100円（税込）/);
    assert.match(r.stdout, /<a href="https:\/\/privacy\.example\.jp\/privacy-center">プライバシーセンター/);
  });

  test('writes English Markdown to --out', async () => {
    const out = join(dir, 'policy.en.md');
    const r = await runCliCaptured(['render', fixture, '--lang', 'en', '--format', 'md', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    const md = readFileSync(out, 'utf8');
    assert.match(md, /^# Privacy Policy\n/);
    assert.match(md, /## 14\. Your rights over retained personal data/);
    assert.match(md, /¥1,100 \(tax included\) per request/);
  });

  test('refuses an unknown language or format with exit code 2', async () => {
    assert.equal((await runCliCaptured(['render', fixture, '--lang', 'fr'])).code, 2);
    assert.equal((await runCliCaptured(['render', fixture, '--format', 'pdf'])).code, 2);
  });

  test('a file with schema errors is reported with file and line, exit code 1', async () => {
    const r = await runCliCaptured(['render', join(root, 'test', 'fixtures', 'render', 'missing.yaml')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /missing\.yaml:1:1 io cannot read the file/);
  });
});
