import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createAssertion } from '../../src/auth/signed-assertion.ts';
import { signPaymentWebhook } from '../../src/requests/payment-webhook.ts';
import { storeDialects } from '../support/stores.ts';
import { ASSERTION_SECRET, codeFromMail, errorCode, getJson, HOSTING_POLICY, MISSKEY_POLICY, PDF_BYTES, postJson, startApp, WEBHOOK_SECRET, type TestApp, serviceWithLimits } from './request-test-kit.ts';

async function countRows(app: TestApp): Promise<{ requests: number; mails: number; files: number }> {
  const n = async (table: 'requests' | 'mail_outbox' | 'request_files') => Number((await app.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { requests: await n('requests'), mails: await n('mail_outbox'), files: await n('request_files') };
}

function multipart(fields: Record<string, string>, files: Array<{ field: string; name: string; type: string; bytes: Uint8Array }>): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files) form.append(f.field, new Blob([new Uint8Array(f.bytes)], { type: f.type }), f.name);
  return form;
}

async function postForm(url: string, form: FormData): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', body: form });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

for (const dialect of storeDialects) {
  describe(`request API bad input on ${dialect}`, () => {
    test('refuses a bad email, an unknown kind, a kind not offered online, a bad delivery and a missing agent proof, storing nothing', async () => {
      const app = await startApp(dialect, HOSTING_POLICY);
      try {
        const url = `${app.url}/api/v1/requests`;
        const cases: Array<[unknown, number, string]> = [
          [{ kind: 'disclosure', email: 'not-an-email' }, 400, 'MAMORI_REQUEST_INVALID_EMAIL'],
          [{ kind: 'disclosure' }, 400, 'MAMORI_REQUEST_INVALID_EMAIL'],
          [{ kind: 'erase_everything', email: 'a@example.jp' }, 400, 'MAMORI_REQUEST_UNKNOWN_KIND'],
          [{ kind: 'stop_provision', email: 'a@example.jp' }, 400, 'MAMORI_REQUEST_KIND_NOT_OFFERED'],
          [{ kind: 'disclosure', email: 'a@example.jp', delivery: 'fax' }, 400, 'MAMORI_VALIDATION_FAILED'],
          [{ kind: 'correction', email: 'a@example.jp', delivery: 'paper' }, 400, 'MAMORI_REQUEST_DELIVERY_INVALID'],
          [{ kind: 'disclosure', email: 'a@example.jp', agent: { kind: 'mandated', relationship: '弁護士', name: '代理 太郎' } }, 400, 'MAMORI_REQUEST_AGENT_PROOF_MISSING'],
          [{ kind: 'correction', email: 'a@example.jp', surprise: 1 }, 400, 'MAMORI_VALIDATION_FAILED'],
        ];
        for (const [body, status, code] of cases) {
          const r = await postJson(url, body);
          assert.equal(r.status, status, `${JSON.stringify(body)} → ${JSON.stringify(r.json)}`);
          assert.equal(errorCode(r.json), code, JSON.stringify(body));
          const message = (r.json.error as { message: string }).message;
          assert.ok(message.length > 10 && !message.includes('undefined'), message);
        }
        const bad = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"kind":' });
        assert.equal(bad.status, 400);
        assert.deepEqual(await countRows(app), { requests: 0, mails: 0, files: 0 });
      } finally {
        await app.close();
      }
    });

    test('accepts an agent with a PDF proof by multipart, and refuses a wrong-type or oversize proof', async () => {
      const app = await startApp(dialect, HOSTING_POLICY);
      try {
        const url = `${app.url}/api/v1/requests`;
        const fields = { kind: 'disclosure', email: 'agent@example.jp', description: '母の代理で請求します', agent_kind: 'mandated', agent_relationship: '子', agent_name: '代理 花子' };
        const wrongType = await postForm(url, multipart(fields, [{ field: 'power_of_attorney', name: 'inin.pdf', type: 'application/pdf', bytes: Buffer.from('just text, not a pdf') }]));
        assert.equal(wrongType.status, 415);
        assert.equal(errorCode(wrongType.json), 'MAMORI_REQUEST_UPLOAD_TYPE');
        const tooBig = Buffer.alloc(10 * 1024 * 1024 + 1, 0x20);
        PDF_BYTES.copy(tooBig);
        const oversize = await postForm(url, multipart(fields, [{ field: 'power_of_attorney', name: 'big.pdf', type: 'application/pdf', bytes: tooBig }]));
        assert.equal(oversize.status, 413);
        assert.equal(errorCode(oversize.json), 'MAMORI_REQUEST_UPLOAD_TOO_LARGE');
        const unknownField = await postForm(url, multipart(fields, [{ field: 'selfie', name: 'me.pdf', type: 'application/pdf', bytes: PDF_BYTES }]));
        assert.equal(errorCode(unknownField.json), 'MAMORI_VALIDATION_FAILED');
        assert.deepEqual(await countRows(app), { requests: 0, mails: 0, files: 0 });

        const ok = await postForm(url, multipart(fields, [{ field: 'power_of_attorney', name: '委任状.pdf', type: 'application/pdf', bytes: PDF_BYTES }]));
        assert.equal(ok.status, 201, JSON.stringify(ok.json));
        const id = String(ok.json.id);
        await app.service.verifyRequest(id, { code: await codeFromMail(app, 'agent@example.jp') }, { ip: '127.0.0.1' });
        const staff = await app.service.getForStaff('staff:s', id);
        assert.equal(staff.state, 'verified', 'an agent request waits for staff to check the proof');
        assert.deepEqual(staff.agentApplication, { kind: 'mandated', relationship: '子', name: '代理 花子' });
        assert.deepEqual(staff.files.map((f) => [f.purpose, f.proofKind, f.filename, f.contentType]), [['agent_proof', 'power_of_attorney', '委任状.pdf', 'application/pdf']]);
      } finally {
        await app.close();
      }
    });

    test('a code expires after 10 minutes, cannot be reused, and five wrong tries lock it until a new code is sent', async () => {
      const app = await startApp(dialect, MISSKEY_POLICY);
      try {
        const email = 'code@example.jp';
        const filed = await postJson(`${app.url}/api/v1/requests`, { kind: 'purpose_notice', email, lang: 'en' });
        const id = String(filed.json.id);
        const token = String(filed.json.token);
        const code = await codeFromMail(app, email);
        const wrong = code === '000000' ? '111111' : '000000';
        const verify = (c: string) => postJson(`${app.url}/api/v1/requests/${id}/verify`, { code: c }, { 'x-request-token': token });

        app.clock.advance(10 * 60 * 1000 + 1);
        assert.equal(errorCode((await verify(code)).json), 'MAMORI_REQUEST_CODE_EXPIRED');

        const resent = await fetch(`${app.url}/api/v1/requests/${id}/code`, { method: 'POST', headers: { 'x-request-token': token } });
        assert.equal(resent.status, 202);
        const code2 = await codeFromMail(app, email);
        const wrong2 = code2 === '000000' ? '111111' : '000000';
        for (let i = 1; i <= 4; i++) {
          const r = await verify(wrong2);
          assert.equal(r.status, 400);
          assert.equal(errorCode(r.json), 'MAMORI_REQUEST_CODE_INVALID');
          assert.deepEqual((r.json.error as { details: unknown }).details, { attemptsLeft: 5 - i });
        }
        assert.equal(errorCode((await verify(wrong2)).json), 'MAMORI_REQUEST_CODE_LOCKED');
        const locked = await verify(code2);
        assert.equal(locked.status, 429);
        assert.equal(errorCode(locked.json), 'MAMORI_REQUEST_CODE_LOCKED', 'even the right code fails once locked');
        assert.equal(errorCode((await verify('12ab56')).json), 'MAMORI_REQUEST_CODE_INVALID');
        assert.notEqual(wrong, undefined);

        await fetch(`${app.url}/api/v1/requests/${id}/code`, { method: 'POST', headers: { 'x-request-token': token } });
        const code3 = await codeFromMail(app, email);
        const ok = await verify(code3);
        assert.equal(ok.status, 200, JSON.stringify(ok.json));
        assert.equal(ok.json.state, 'in_progress');
        const reused = await verify(code3);
        assert.equal(reused.status, 409);
        assert.equal(errorCode(reused.json), 'MAMORI_REQUEST_CODE_USED');

        const codes = await app.store.db.selectFrom('request_codes').select('code_hash').execute();
        assert.ok(codes.every((c) => !c.code_hash.includes(code3)), 'codes are stored hashed');
        const noToken = await getJson(`${app.url}/api/v1/requests/${id}`);
        assert.equal(errorCode(noToken.json), 'MAMORI_REQUEST_TOKEN_INVALID');
        const wrongToken = await getJson(`${app.url}/api/v1/requests/${id}`, { 'x-request-token': `${token.slice(0, -2)}xx` });
        assert.equal(wrongToken.status, 404);
      } finally {
        await app.close();
      }
    });

    test('a valid signed assertion skips the code; a forged or expired one is refused', async () => {
      const app = await startApp(dialect, MISSKEY_POLICY);
      try {
        const now = Math.floor(app.clock.now().getTime() / 1000);
        const email = 'signed@example.jp';
        const forged = createAssertion({ sub: 'u1', email, exp: now + 600 }, 'some-other-secret-0123456789');
        const r1 = await postJson(`${app.url}/api/v1/requests`, { kind: 'disclosure', email, assertion: forged });
        assert.equal(r1.status, 401);
        assert.equal(errorCode(r1.json), 'MAMORI_REQUEST_ASSERTION_INVALID');
        const expired = createAssertion({ sub: 'u1', email, exp: now - 1 }, ASSERTION_SECRET, 'jwt');
        const r2 = await postJson(`${app.url}/api/v1/requests`, { kind: 'disclosure', email, assertion: expired });
        assert.equal(errorCode(r2.json), 'MAMORI_REQUEST_ASSERTION_EXPIRED');
        const other = createAssertion({ sub: 'u1', email: 'someone-else@example.jp', exp: now + 600 }, ASSERTION_SECRET);
        assert.equal(errorCode((await postJson(`${app.url}/api/v1/requests`, { kind: 'disclosure', email, assertion: other })).json), 'MAMORI_REQUEST_ASSERTION_MISMATCH');
        assert.deepEqual(await countRows(app), { requests: 0, mails: 0, files: 0 });

        const good = createAssertion({ sub: 'u1', email, exp: now + 600 }, ASSERTION_SECRET, 'jwt');
        const r3 = await postJson(`${app.url}/api/v1/requests`, { kind: 'disclosure', email, assertion: good, delivery: 'electronic' });
        assert.equal(r3.status, 201, JSON.stringify(r3.json));
        assert.equal(r3.json.codeSent, false);
        assert.equal(r3.json.state, 'awaiting_payment');
        await app.drain();
        assert.ok(!app.smtp.mails.some((m) => /確認コード/.test(m.subject ?? '')), 'no code mail');
        const staff = await app.service.getForStaff('staff:s', String(r3.json.id));
        assert.equal(staff.subjectId, 'u1');
        assert.equal(staff.verifiedVia, 'app_assertion');
      } finally {
        await app.close();
      }
    });

    test('the payment webhook needs a fresh valid signature, records the payment once, and starts the work', async () => {
      const app = await startApp(dialect, MISSKEY_POLICY);
      try {
        const email = 'pay@example.jp';
        const filed = await app.service.fileRequest({ kind: 'disclosure', email, description: '', lang: 'ja', delivery: 'electronic' }, { ip: '192.0.2.7' });
        await app.service.verifyRequest(filed.id, { code: await codeFromMail(app, email) }, { ip: '192.0.2.7' });
        const body = JSON.stringify({ request_id: filed.id, amount: 1500, currency: 'JPY', method: 'card', reference: 'ch_123' });
        const t = Math.floor(app.clock.now().getTime() / 1000);
        const send = (payload: string, signature: string | undefined) =>
          fetch(`${app.url}/api/v1/payments/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', ...(signature ? { 'x-mamori-signature': signature } : {}) }, body: payload });
        const unsigned = await send(body, undefined);
        assert.equal(unsigned.status, 401);
        assert.equal(errorCode((await unsigned.json()) as Record<string, unknown>), 'MAMORI_REQUEST_WEBHOOK_SIGNATURE');
        assert.equal((await send(body, signPaymentWebhook('wrong-secret-0123456789abc', body, t))).status, 401);
        assert.equal((await send(body, signPaymentWebhook(WEBHOOK_SECRET, body, t - 600))).status, 401, 'stale');
        assert.equal((await send(body.replace('1500', '15000'), signPaymentWebhook(WEBHOOK_SECRET, body, t))).status, 401, 'tampered body');
        const wrongAmount = JSON.stringify({ request_id: filed.id, amount: 150, currency: 'JPY', reference: 'ch_1' });
        assert.equal((await send(wrongAmount, signPaymentWebhook(WEBHOOK_SECRET, wrongAmount, t))).status, 400);
        assert.equal((await app.service.getForRequester(filed.id, filed.token)).state, 'awaiting_payment');

        const ok = await send(body, signPaymentWebhook(WEBHOOK_SECRET, body, t));
        assert.equal(ok.status, 200);
        assert.deepEqual(await ok.json(), { received: true, requestId: filed.id, alreadyPaid: false });
        assert.equal((await app.service.getForRequester(filed.id, filed.token)).state, 'in_progress');
        const again = await send(body, signPaymentWebhook(WEBHOOK_SECRET, body, t));
        assert.deepEqual(await again.json(), { received: true, requestId: filed.id, alreadyPaid: true });
        const staff = await app.service.getForStaff('staff:s', filed.id);
        assert.deepEqual(staff.feePayment.reference, 'ch_123');
        assert.equal(staff.timeline.filter((e) => e.action === 'fee_paid').length, 1);
        assert.equal(staff.timeline.find((e) => e.action === 'fee_paid')?.actor, 'system');
      } finally {
        await app.close();
      }
    });

    test('filing is rate limited per email and per address, across service instances sharing the database', async () => {
      const app = await startApp(dialect, MISSKEY_POLICY);
      try {
        const make = () => serviceWithLimits(app, { filingsPerEmail: { limit: 2, windowMs: 3600_000 }, filingsPerIp: { limit: 3, windowMs: 3600_000 } });
        const a = make();
        const b = make();
        const input = (email: string) => ({ kind: 'purpose_notice' as const, email, description: '', lang: 'ja' as const });
        await a.fileRequest(input('limit@example.jp'), { ip: '198.51.100.1' });
        await b.fileRequest(input('limit@example.jp'), { ip: '198.51.100.2' });
        await assert.rejects(a.fileRequest(input('limit@example.jp'), { ip: '198.51.100.3' }), { code: 'MAMORI_RATE_LIMITED' });
        await a.fileRequest(input('x1@example.jp'), { ip: '198.51.100.9' });
        await b.fileRequest(input('x2@example.jp'), { ip: '198.51.100.9' });
        await b.fileRequest(input('x3@example.jp'), { ip: '198.51.100.9' });
        await assert.rejects(a.fileRequest(input('x4@example.jp'), { ip: '198.51.100.9' }), { code: 'MAMORI_RATE_LIMITED' });
        app.clock.advance(3600_000 + 1);
        await a.fileRequest(input('x5@example.jp'), { ip: '198.51.100.9' });
        const buckets = await app.store.db.selectFrom('request_rate_limits').select('bucket').execute();
        assert.ok(buckets.every((r) => !r.bucket.includes('@') && !r.bucket.includes('198.51')), 'buckets reveal no email or address');
      } finally {
        await app.close();
      }
    });
  });
}
