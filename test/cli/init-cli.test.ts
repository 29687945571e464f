import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePolicy } from '../../src/policy/load-policy.ts';
import { lintPolicy } from '../../src/policy/lint.ts';
import { runMamori } from '../support/cli.ts';


const mamori = (args: string[]) => runMamori(args);

describe('mamori init', { concurrency: 2 }, () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'mamori-init-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('writes a starter that parses and fails lint only where the operator must fill something in', async () => {
    const target = join(dir, 'new', 'privacy');
    const r = await mamori(['init', target]);
    assert.equal(r.code, 0, r.stderr);
    const file = join(target, 'policy.yaml');
    assert.match(r.stdout, /replace every "FILL IN:" value/);
    const source = readFileSync(file, 'utf8');
    const parsed = parsePolicy(source, file);
    assert.ok(parsed.ok, 'the starter must parse');
    const issues = lintPolicy(parsed.loaded);
    assert.ok(issues.length >= 4, 'the operator name, address, representative and contact are left to fill in');
    for (const issue of issues) {
      assert.equal(issue.rule, 'policy-fill-in', `${issue.rule}: ${issue.message}`);
      assert.equal(issue.severity, 'error');
      assert.match(issue.message, /^fill in [a-z_.[\]0-9]+: it still holds the placeholder from `mamori init`/);
      assert.match(source.split('\n')[issue.line - 1] ?? '', /FILL IN/, 'each error points at its placeholder line');
    }
    assert.deepEqual(issues.map((i) => i.message.split(':')[0]).sort(), ['fill in operator.address', 'fill in operator.contacts[0].value', 'fill in operator.name', 'fill in operator.representative', 'fill in service.name'].sort());

    // Once every placeholder holds a real value, the starter lints clean, warnings included.
    const filled = join(target, 'filled.yaml');
    writeFileSync(filled, source.replace(/"FILL IN: [^"]*"/g, (placeholder) => (placeholder.includes('メールアドレス') ? '"privacy@example.jp"' : '"株式会社サンプル"')));
    const lint = await mamori(['lint', filled]);
    assert.equal(lint.code, 0, lint.stdout);
    assert.equal(lint.stdout, '');
  });

  test('refuses to overwrite an existing policy.yaml', async () => {
    const target = join(dir, 'existing');
    const first = await mamori(['init', target]);
    assert.equal(first.code, 0);
    const file = join(target, 'policy.yaml');
    writeFileSync(file, 'mamori: 1\n# my own work\n');
    const again = await mamori(['init', target]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists; it was left unchanged/);
    assert.equal(readFileSync(file, 'utf8'), 'mamori: 1\n# my own work\n');
  });

  test('rejects more than one directory as a usage error', async () => {
    const r = await mamori(['init', join(dir, 'a'), join(dir, 'b')]);
    assert.equal(r.code, 2);
    assert.equal(existsSync(join(dir, 'a', 'policy.yaml')), false);
  });
});
