import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/store.ts';
import { runCliCaptured } from './render-cli-support.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = join(root, 'test', 'fixtures', 'render');

describe('mamori publish, diff and render --version', () => {
  let dir: string;
  let databaseUrl: string;
  // In-process (each `node bin/mamori.js` start costs seconds under tsx); bin/mamori.js itself is covered in render-cli.
  const mamori = (args: string[]) => runCliCaptured([...args, '--database', databaseUrl]);
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mamori-publish-'));
    databaseUrl = `sqlite:${join(dir, 'mamori.sqlite')}`;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('stores versions, refuses duplicates, unconfirmed purpose changes and lint errors, then diffs and renders them', async () => {
    let r = await mamori(['publish', join(fixtures, 'policy.yaml'), '--effective', '2024-04-01', '--note', '初版']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /published version 1 \(pv_[a-z0-9]+\), effective 2024-04-01/);

    r = await mamori(['publish', join(fixtures, 'policy.yaml'), '--effective', '2024-06-01']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /MAMORI_POLICY_VERSION_EXISTS/);

    r = await mamori(['publish', join(fixtures, 'policy-v2.yaml'), '--effective', '2025-04-01']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Purposes changed since version 1: analytics.*MAMORI_POLICY_PURPOSE_CHANGE_UNCONFIRMED/s);

    r = await mamori(['publish', join(fixtures, 'policy-v2.yaml'), '--effective', '2025-04-01', '--purpose-change', 'maybe']);
    assert.equal(r.code, 2);

    // A fee on a correction request breaks 38条: lint refuses it before anything is stored.
    const feeOnCorrection = readFileSync(join(fixtures, 'policy-v2.yaml'), 'utf8').replace(
      '    correction:\n      channels: [privacy_center]\n',
      '    correction:\n      channels: [privacy_center]\n      fee: { amount: 500, tax: included, payment: [bank_transfer] }\n',
    );
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, feeOnCorrection);
    r = await mamori(['publish', bad, '--effective', '2025-04-01', '--purpose-change', 'related']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /MAMORI_POLICY_LINT_FAILED/);

    r = await mamori(['publish', join(fixtures, 'policy-v2.yaml'), '--effective', '2025-04-01', '--purpose-change', 'related']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /published version 2 .*purpose change: related/);

    const store = await openStore(databaseUrl);
    try {
      const rows = await store.db.selectFrom('policy_versions').select(['number', 'purpose_change', 'note']).orderBy('number').execute();
      assert.deepEqual(rows, [{ number: 1, purpose_change: null, note: '初版' }, { number: 2, purpose_change: 'related', note: null }]);
      const audit = await store.db.selectFrom('audit_events').select(['actor', 'data']).where('action', '=', 'policy.published').orderBy('seq').execute();
      assert.equal(audit.length, 2);
      assert.equal(audit[1]?.actor, 'cli');
      assert.match(audit[1]?.data ?? '', /"purposeChange":"related"/);
    } finally {
      await store.close();
    }

    const out = join(dir, 'out.txt');
    r = await mamori(['diff', '1', '2', '--out', out]);
    assert.equal(r.code, 1, 'diff exits 1 when something changed');
    r.stdout = readFileSync(out, 'utf8');
    assert.match(r.stdout, /第1版 → 第2版/);
    assert.match(r.stdout, /## 4\. 利用目的 \[変更\]/);
    assert.match(r.stdout, /\[-改善-\]\{\+広告の効果を測定\+\}/);
    assert.match(r.stdout, /1,\[-100-\]\{\+650\+\}円（税込）/);
    // Version 2 is a revision, so the history section changed as well.
    assert.match(r.stdout, /## \d+\. 改定履歴 \[変更\]\n[\s\S]*\{\+\n・ 2025年4月1日（令和7年4月1日）　改定（第2版）\+\}/);

    r = await mamori(['diff', join(fixtures, 'policy.yaml'), '1', '--out', out]);
    assert.equal(r.code, 0, 'a file identical to version 1 has no changes, not even a revision in its history');

    r = await mamori(['render', '--version', '2', '--format', 'md', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    r.stdout = readFileSync(out, 'utf8');
    assert.match(r.stdout, /第2版（2025年4月1日施行）/);
    assert.match(r.stdout, /2022年4月1日（令和4年4月1日）　改定：改正個人情報保護法の施行に伴う改定\n- 2025年4月1日（令和7年4月1日）　改定（第2版）/);
    assert.ok(!r.stdout.includes('第1版）'), 'publishing the unchanged file as version 1 added no revision');

    r = await mamori(['render', '--version', '9', '--out', out]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /MAMORI_POLICY_VERSION_NOT_FOUND/);
  });
});
