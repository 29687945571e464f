import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestStore } from '../support/stores.ts';

const run = promisify(execFile);

describe('mamori records CLI', () => {
  test('anonymizes a CSV, records an incident and prints its 規則8条 draft, purges with an audit event', async () => {
    const store = await createTestStore('sqlite');
    const dir = mkdtempSync(join(tmpdir(), 'mamori-records-cli-'));
    const env = { ...process.env, DATABASE_URL: store.url, NODE_ENV: 'test' };
    try {
      writeFileSync(join(dir, 'data.csv'), 'email,age,plan\na@example.jp,31,pro\nb@example.jp,33,pro\nc@example.jp,70,free\n');
      writeFileSync(join(dir, 'job.yaml'), 'name: plan-by-age\ndataset: data.csv\nk: 2\ncolumns:\n  - { name: email, role: identifier }\n  - { name: age, role: quasi_identifier, transform: { kind: bucket, width: 10 }, label: { ja: 年代, en: Age group } }\n  - { name: plan, role: attribute }\n');
      const anon = await run(process.execPath, ['bin/mamori.js', 'records', 'anonymize', '--input', join(dir, 'data.csv'), '--config', join(dir, 'job.yaml'), '--out', join(dir, 'anon.csv'), '--recipient', '研究パートナー'], { env });
      assert.match(anon.stdout, /1 of 3 suppressed for k=2/);
      assert.equal(readFileSync(join(dir, 'anon.csv'), 'utf8'), 'age,plan\r\n30-39,pro\r\n30-39,pro\r\n');
      assert.match(readFileSync(join(dir, 'anon.csv.notice.txt'), 'utf8'), /匿名加工情報/);

      writeFileSync(join(dir, 'incident.yaml'), 'title: 不正アクセス\ndiscoveredAt: "2026-04-01T10:00:00+09:00"\ndescription: 管理画面への不正ログインがありました。\ndataItems: [氏名, メールアドレス]\naffectedCount: 1001\n');
      const add = await run(process.execPath, ['bin/mamori.js', 'records', 'incident', 'add', '--file', join(dir, 'incident.yaml')], { env });
      assert.match(add.stdout, /REPORTABLE/);
      assert.match(add.stdout, /規則7条4号/);
      const id = /recorded (inc_\w+)/.exec(add.stdout)?.[1] ?? '';
      const report = await run(process.execPath, ['bin/mamori.js', 'records', 'incident', 'report', id], { env });
      for (const label of ['概要', '原因', '二次被害又はそのおそれの有無及びその内容', '再発防止のための措置', 'その他参考となる事項']) assert.match(report.stdout, new RegExp(label));
      await assert.rejects(run(process.execPath, ['bin/mamori.js', 'records', 'incident', 'submit', id, '--stage', 'final'], { env }), (err: { code: number; stderr: string }) => err.code === 1 && /MAMORI_INCIDENT_REPORT_INCOMPLETE/.test(err.stderr));

      const stop = await run(process.execPath, ['bin/mamori.js', 'records', 'optout', 'stop', '--subject', 'p-77'], { env });
      assert.match(stop.stdout, /flagged \(stop_/);
      assert.deepEqual(await store.db.selectFrom('record_optout_stops').select(['subject_id', 'source']).execute(), [{ subject_id: 'p-77', source: 'staff' }]);

      const purge = await run(process.execPath, ['bin/mamori.js', 'records', 'purge'], { env });
      assert.match(purge.stdout, /purged 0 provision/);
      const actions = (await store.db.selectFrom('audit_events').select('action').orderBy('seq').execute()).map((a) => a.action);
      assert.deepEqual(actions, ['records.provision_recorded', 'records.anonymization_job_recorded', 'records.incident_recorded', 'records.optout_stop_flagged', 'records.purged']);
    } finally {
      await store.drop();
    }
  });
});
