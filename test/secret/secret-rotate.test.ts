import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { subjectConsents, verifyReceiptProof } from '../../src/consent/consent-receipts.ts';
import { createManualClock } from '../../src/clock.ts';
import { createSmtpTransport } from '../../src/mail/smtp-transport.ts';
import { requestServiceFor } from '../../src/requests/request-service.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import type { StoreDialect } from '../../src/store/store.ts';
import { runMamori } from '../support/cli.ts';
import { storeDialects, createTestStore, type TestStore } from '../support/stores.ts';
import { codeFromMail, getJson, loadPolicy, MISSKEY_POLICY, PNG_BYTES, postJson, startSmtp, type TestSmtp } from '../requests/request-test-kit.ts';

const OLD = Buffer.alloc(32, 7);
const NEW = Buffer.alloc(32, 8);
const OTHER = Buffer.alloc(32, 9);

interface Used {
  store: TestStore;
  smtp: TestSmtp;
  dataDir: string;
  requestId: string;
  oldToken: string;
  fileId: string;
  downloadLink: string;
  waitingId: string;
}

async function serve(u: { store: TestStore; smtp: TestSmtp; dataDir: string }, secret: Buffer | undefined): Promise<RunningServer> {
  return startServer({
    policy: loadPolicy(MISSKEY_POLICY),
    config: { port: 0, host: '127.0.0.1', ...(secret ? { secret } : {}), dataDir: u.dataDir, baseUrl: 'http://mamori.test' },
    env: {},
    store: u.store,
    clock: createManualClock('2026-04-01T00:00:00Z'),
    transport: createSmtpTransport(u.smtp.url),
    outboxIntervalMs: 0,
  });
}

/** A store in use: a delivered disclosure (gathered data, an uploaded file, a sealed package), a consent receipt, audit rows. */
async function usedStore(dialect: StoreDialect, secret: Buffer | undefined): Promise<Used> {
  const store = await createTestStore(dialect);
  const smtp = await startSmtp();
  const dataDir = mkdtempSync(join(tmpdir(), 'mamori-rotate-'));
  const server = await serve({ store, smtp, dataDir }, secret);
  try {
    const email = 'hana@example.jp';
    const filed = await postJson(`${server.url}/api/v1/requests`, { kind: 'disclosure', email, account_id: 'hana', description: 'アカウントの情報', delivery: 'electronic', lang: 'ja' });
    assert.equal(filed.status, 201, JSON.stringify(filed.json));
    const id = String(filed.json.id);
    const token = String(filed.json.token);
    const app = { drain: () => server.ctx.outbox.drainOnce(), smtp };
    const code = await codeFromMail(app as Parameters<typeof codeFromMail>[0], email);
    assert.equal((await postJson(`${server.url}/api/v1/requests/${id}/verify`, { code }, { 'x-request-token': token })).status, 200);
    const service = requestServiceFor(server.ctx);
    await service.markPaid('staff:st_1', id, { method: 'bank_transfer', reference: 'R-1', amount: 1500 });
    await service.addGatheredData('staff:st_1', id, { source: 'manual', title: { ja: 'アカウント情報', en: 'Account' }, groups: [{ name: 'users', rows: [{ username: 'hana', email }] }] });
    const fileId = await service.addGatheredFile('staff:st_1', id, { filename: 'export.png', bytes: PNG_BYTES });
    await service.decide('staff:st_1', id, { outcome: 'full' });
    await service.deliver('staff:st_1', id);
    await server.ctx.outbox.drainOnce();
    const delivered = await smtp.waitFor({ to: email, subject: /開示内容のお届け/ });
    const downloadLink = /(http:\/\/mamori\.test\/api\/v1\/requests\/\S+)/.exec(delivered.text ?? '')?.[1];
    assert.ok(downloadLink);
    // A second request whose next mail (with its link) is still waiting in the outbox when the rotation runs.
    const waiting = await postJson(`${server.url}/api/v1/requests`, { kind: 'disclosure', email: 'taro@example.jp', description: '全部', delivery: 'electronic', lang: 'ja' });
    const waitingCode = await codeFromMail(app as Parameters<typeof codeFromMail>[0], 'taro@example.jp');
    assert.equal((await postJson(`${server.url}/api/v1/requests/${String(waiting.json.id)}/verify`, { code: waitingCode }, { 'x-request-token': String(waiting.json.token) })).status, 200);
    const consent = await postJson(`${server.url}/api/v1/consents`, { subject: 'anon_rotation0000000001', choices: { error_analysis: false }, method: 'banner' });
    assert.equal(consent.status, 201, JSON.stringify(consent.json));
    return { store, smtp, dataDir, requestId: id, oldToken: token, fileId, downloadLink, waitingId: String(waiting.json.id) };
  } finally {
    await server.close();
  }
}

async function dispose(u: Used): Promise<void> {
  await u.smtp.stop();
  await u.store.drop();
  rmSync(u.dataDir, { recursive: true, force: true });
}

const hex = (b: Buffer) => b.toString('hex');

for (const dialect of storeDialects) {
  describe(`mamori secret rotate (${dialect})`, () => {
    test('a rotation killed half-way blocks the server and the CLI, resumes with the same secrets, and leaves the store verified and readable under the new secret only', { timeout: 120_000 }, async () => {
      const u = await usedStore(dialect, OLD);
      try {
        const env = { DATABASE_URL: u.store.url, MAMORI_DATA_DIR: u.dataDir, MAMORI_SECRET: hex(OLD), MAMORI_NEW_SECRET: hex(NEW) };
        if (dialect === 'postgres') {
          const running = await serve(u, OLD);
          try {
            const refused = await runMamori(['secret', 'rotate'], { env });
            assert.equal(refused.code, 1);
            assert.match(refused.stderr, /1 mamori server\(s\) are still connected to this database: stop every `mamori serve`.*MAMORI_SECRET_ROTATION_SERVERS_RUNNING/s);
          } finally {
            await running.close();
          }
          assert.equal((await u.store.db.selectFrom('secret_rotations').select('id').execute()).length, 0, 'nothing started');
        }
        const crashed = await runMamori(['secret', 'rotate', '--batch-size', '1'], { env: { ...env, MAMORI_TEST_ROTATION_CRASH_AFTER: '3' } });
        assert.notEqual(crashed.code, 0, 'the process was killed');
        const rows = await u.store.db.selectFrom('secret_rotations').select(['state', 'progress_json']).execute();
        assert.equal(rows.length, 1);
        assert.equal(rows[0]?.state, 'running');

        for (const secret of [OLD, NEW]) {
          await assert.rejects(serve(u, secret), (err: unknown) => err instanceof Error && 'code' in err && err.code === 'MAMORI_SECRET_ROTATION_UNFINISHED' && /Run `mamori secret rotate` again/.test(err.message));
        }
        const blocked = await runMamori(['audit', 'verify'], { env });
        assert.equal(blocked.code, 1);
        assert.match(blocked.stderr, /MAMORI_SECRET_ROTATION_UNFINISHED/);

        const wrongNew = await runMamori(['secret', 'rotate'], { env: { ...env, MAMORI_NEW_SECRET: hex(OTHER) } });
        assert.equal(wrongNew.code, 1);
        assert.match(wrongNew.stderr, /the new secret is not the one it was started with.*MAMORI_SECRET_ROTATION_MISMATCH/s);

        const switchedEarly = await runMamori(['secret', 'rotate'], { env: { ...env, MAMORI_SECRET: hex(NEW) } });
        assert.match(switchedEarly.stderr, /the old secret \(MAMORI_SECRET or secret\.key\) is not the one it was started with.*MAMORI_SECRET_ROTATION_MISMATCH/s);

        const resumed = await runMamori(['secret', 'rotate'], { env });
        assert.equal(resumed.code, 0, resumed.stderr);
        assert.match(resumed.stdout, /finished the unfinished rotation rot_/);
        assert.match(resumed.stdout, /uploaded documents re-encrypted: 1\n/);
        assert.match(resumed.stdout, /gathered data sections re-encrypted: 1\n/);
        assert.match(resumed.stdout, /disclosure packages and letters re-encrypted: 1\n/);
        assert.match(resumed.stdout, /consent receipts re-signed: 1\n/);
        assert.match(resumed.stdout, /signed audit head: re-signed/);
        assert.match(resumed.stdout, /mails waiting in the outbox given the new link: [1-9]\d*\n/);
        assert.match(resumed.stdout, /Links mailed before now no longer open their 2 request/);
        assert.match(resumed.stdout, /Set MAMORI_SECRET to the new secret on every instance/);
        assert.doesNotMatch(resumed.stdout + resumed.stderr, new RegExp(`${hex(OLD)}|${hex(NEW)}`), 'no secret is printed');

        const verifiedNew = await runMamori(['audit', 'verify'], { env: { ...env, MAMORI_SECRET: hex(NEW) } });
        assert.equal(verifiedNew.code, 0, verifiedNew.stderr);
        assert.match(verifiedNew.stdout, /audit log intact: \d+ event\(s\)\nhead anchor: signed head and row MACs checked/);
        const verifiedOld = await runMamori(['audit', 'verify'], { env });
        assert.equal(verifiedOld.code, 1);
        assert.match(verifiedOld.stderr, /MAMORI_SECRET does not match.*MAMORI_SECRET_MISMATCH/s);
        await assert.rejects(serve(u, OLD), (err: unknown) => err instanceof Error && 'code' in err && err.code === 'MAMORI_SECRET_MISMATCH');

        const server = await serve(u, NEW);
        try {
          const file = await requestServiceFor(server.ctx).readFile('staff:st_1', u.requestId, u.fileId);
          assert.ok(Buffer.from(file.bytes).equals(PNG_BYTES), 'the uploaded file opens under the new secret');
          const gathered = await requestServiceFor(server.ctx).gatheredForStaff('staff:st_1', u.requestId);
          assert.match(JSON.stringify(gathered), /hana@example\.jp/);
          const res = await fetch(u.downloadLink.replace('http://mamori.test', server.url));
          assert.equal(res.status, 200);
          const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
          assert.match(strFromU8(files['index.html']!), /hana@example\.jp/, 'the sealed package opens under the new secret');
          const oldLink = await getJson(`${server.url}/api/v1/requests/${u.requestId}`, { 'x-request-token': u.oldToken });
          assert.equal(oldLink.status, 404, 'a link mailed before the rotation no longer opens the request');
          await server.ctx.outbox.drainOnce();
          const queued = await u.smtp.waitFor({ to: 'taro@example.jp', subject: /手数料/ });
          const newToken = new RegExp(`/privacy-center/requests/${u.waitingId}\\?token=([\\w-]+)`).exec(queued.text ?? '')?.[1];
          assert.ok(newToken, 'the mail that waited in the outbox carries a link');
          assert.equal((await getJson(`${server.url}/api/v1/requests/${u.waitingId}`, { 'x-request-token': newToken })).status, 200, 'and the link works after the rotation');
          const actions = (await server.ctx.store.db.selectFrom('audit_events').select(['action', 'data']).where('action', 'like', 'secret.%').orderBy('seq').execute());
          assert.deepEqual(actions.map((a) => a.action), ['secret.rotation_started', 'secret.rotated']);
          assert.match(actions[1]?.data ?? '', /"request_files":\{"left":0,"rotated":1\}/);
          const [receipt] = (await subjectConsents(server.ctx.store.db, 'anon_rotation0000000001')).receipts;
          assert.ok(receipt && verifyReceiptProof(NEW, receipt) && !verifyReceiptProof(OLD, receipt), 'the consent receipt is re-signed under the new secret');
        } finally {
          await server.close();
        }
      } finally {
        await dispose(u);
      }
    });
  });
}

describe('mamori secret rotate with the data directory\'s secret.key (sqlite)', () => {
  test('the CLI refuses a wrong secret by name; --generate rotates, swaps secret.key and keeps the old one for backups', { timeout: 120_000 }, async () => {
    const u = await usedStore('sqlite', undefined);
    try {
      const keyFile = join(u.dataDir, 'secret.key');
      const before = readFileSync(keyFile, 'utf8');
      const env = { DATABASE_URL: u.store.url, MAMORI_DATA_DIR: u.dataDir };
      for (const args of [['audit', 'verify'], ['user', 'add', '--email', 'x@example.jp', '--role', 'admin'], ['records', 'purge']]) {
        const wrong = await runMamori(args, { env: { ...env, MAMORI_SECRET: hex(OTHER) } });
        assert.equal(wrong.code, 1, `${args.join(' ')}: ${wrong.stdout}`);
        assert.match(wrong.stderr, /MAMORI_SECRET does not match the secret this store was signed with.*MAMORI_SECRET_MISMATCH/s, args.join(' '));
      }
      assert.equal((await u.store.db.selectFrom('staff_users').select('id').execute()).length, 0, 'nothing was written under the wrong secret');

      const rotated = await runMamori(['secret', 'rotate', '--generate'], { env });
      assert.equal(rotated.code, 0, rotated.stderr);
      assert.match(rotated.stdout, /now holds the new secret\. The old one is kept in .*secret\.key\.before-rot_/);
      const after = readFileSync(keyFile, 'utf8');
      assert.notEqual(after, before);
      assert.ok(!existsSync(`${keyFile}.new`));
      const kept = readdirSync(u.dataDir).filter((f) => f.startsWith('secret.key.before-rot_'));
      assert.equal(kept.length, 1);
      assert.equal(readFileSync(join(u.dataDir, kept[0]!), 'utf8'), before);

      const verified = await runMamori(['audit', 'verify'], { env });
      assert.equal(verified.code, 0, verified.stderr);
      const again = await runMamori(['secret', 'rotate', '--generate'], { env });
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /rotated rot_/, 'a second --generate is a new rotation from the current key');
      assert.equal((await runMamori(['audit', 'verify'], { env })).code, 0);
    } finally {
      await dispose(u);
    }
  });
});
