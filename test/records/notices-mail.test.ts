import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createManualClock } from '../../src/clock.ts';
import { createApiKey } from '../../src/staff/api-keys.ts';
import { createSmtpTransport } from '../../src/mail/smtp-transport.ts';
import { publishVersion } from '../../src/policy/policy-versions.ts';
import { startSmtp, type TestSmtp } from '../requests/request-test-kit.ts';
import { startTestServer, type TestServer } from '../staff/console-helpers.ts';

const HOOK_SECRET = 'contact-hook-secret-0123456789';

describe('notices by mail (real SMTP)', () => {
  let smtp: TestSmtp;
  let hook: Server;
  let server: TestServer;
  let key = '';
  const clock = createManualClock('2026-04-01T01:00:00Z');
  before(async () => {
    smtp = await startSmtp();
    // The operator's contact hook: two pages of known users, behind a bearer secret.
    hook = createServer((req, res) => {
      if (req.headers.authorization !== `Bearer ${HOOK_SECRET}`) {
        res.writeHead(401).end();
        return;
      }
      const page2 = (req.url ?? '').includes('cursor=2');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(page2 ? { contacts: [{ email: 'user2@example.jp', subjectId: 'u2' }], next: null } : { contacts: [{ email: 'user1@example.jp', subjectId: 'u1' }], next: '2' }));
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    process.env.MAMORI_CONTACT_HOOK_URL = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/contacts`;
    process.env.MAMORI_CONTACT_HOOK_SECRET = HOOK_SECRET;
    // The retention purge every ~0.4 s here (daily by default).
    process.env.MAMORI_RECORDS_PURGE_HOURS = '0.0001';
    server = await startTestServer('sqlite', { clock, transport: createSmtpTransport(smtp.url) });
    key = (await createApiKey(server.store.db, clock, { name: 'officer', role: 'officer', actor: 'cli' })).key;
  });
  after(async () => {
    await server.stop();
    await smtp.stop();
    await new Promise((r) => hook.close(r));
  });
  const post = (path: string, body: unknown) => fetch(`${server.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  test('a revision notice goes to every user the contact hook returns, and each delivery is recorded', async () => {
    const version = await publishVersion(server.store, clock, { policy: server.ctx.policy.policy, sourceYaml: server.ctx.policy.source, effectiveOn: '2026-04-01', actor: 'cli' });
    const res = await post('/api/v1/revision-notices', { policyVersionId: version.id, kind: 'revision', summary: 'お問い合わせ窓口の記載を更新しました。' });
    assert.equal(res.status, 202);
    const notice = (await res.json()) as { recipientCount: number; audience: string };
    assert.deepEqual([notice.recipientCount, notice.audience], [2, 'contact_hook']);
    await server.ctx.outbox.drainOnce();
    const m1 = await smtp.waitFor({ to: 'user1@example.jp', subject: /プライバシーポリシーの改定のお知らせ/ });
    assert.match(m1.text ?? '', /お問い合わせ窓口の記載を更新しました。/);
    await smtp.waitFor({ to: 'user2@example.jp', subject: /改定/ });
    const deliveries = await server.store.db.selectFrom('record_revision_deliveries').select('subject_id').orderBy('subject_id').execute();
    assert.deepEqual(deliveries.map((d) => d.subject_id), ['u1', 'u2']);
    const notPurpose = await post('/api/v1/revision-notices', { policyVersionId: version.id, kind: 'purpose_change', summary: 'x', recipients: [{ email: 'a@example.jp' }] });
    assert.equal(((await notPurpose.json()) as { error: { code: string } }).error.code, 'MAMORI_REVISION_NOTICE_INVALID', 'a purpose-change notice needs a version that changed purposes');
    const bad = await post('/api/v1/revision-notices', { policyVersionId: 'pv_missing', kind: 'revision', summary: 'x', recipients: [{ email: 'a@example.jp' }] });
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'MAMORI_POLICY_VERSION_NOT_FOUND');
  });

  test('an incident notice reaches the affected person with the 規則8条 items that concern them', async () => {
    const inc = (await (await post('/api/v1/incidents', { title: '誤送信', discoveredAt: '2026-04-01T09:00:00+09:00', description: '請求書メールを別の会員へ誤って送信しました。', dataItems: ['氏名', '請求金額'], affectedCount: 1, financialHarmData: false })).json()) as { id: string };
    const patched = await fetch(`${server.url}/api/v1/incidents/${inc.id}`, { method: 'PATCH', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ reportFields: { cause: '宛先の選択誤り', secondary_harm: '現時点で確認されていません' } }) });
    assert.equal(patched.status, 200);
    assert.equal((await post(`/api/v1/incidents/${inc.id}/notices`, { recipients: [{ email: 'victim@example.jp', subjectId: 'u9' }] })).status, 202);
    await server.ctx.outbox.drainOnce();
    const mail = await smtp.waitFor({ to: 'victim@example.jp', subject: /個人情報の漏えい等に関するお知らせ/ });
    for (const text of ['請求書メールを別の会員へ誤って送信しました。', '宛先の選択誤り', '現時点で確認されていません', '氏名、請求金額']) assert.ok((mail.text ?? '').includes(text), text);
  });

  test('the server runs the retention purge on its schedule and leaves an audit event', async () => {
    const deadline = Date.now() + 5000;
    let purges = 0;
    while (Date.now() < deadline && purges === 0) {
      await new Promise((r) => setTimeout(r, 100));
      purges = (await server.store.db.selectFrom('audit_events').select('seq').where('action', '=', 'records.purged').where('actor', '=', 'system').execute()).length;
    }
    assert.ok(purges > 0);
  });
});
