import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { storeDialects } from '../support/stores.ts';
import { defaultRequestRateLimits, requestRateLimitsFromEnv } from '../../src/requests/rate-limit.ts';
import { codeFromMail, MISSKEY_POLICY, postJson, startApp, type TestApp } from './request-test-kit.ts';

// Small per-email limits through the documented setting; each test file runs in its own process, and the request
// service of the app reads the setting when it is first created (in startApp).
process.env.MAMORI_REQUEST_LIMITS = JSON.stringify({
  codeAttemptsPerEmail: { limit: 4, windowMs: 3_600_000 },
  newCodesPerEmail: { limit: 3, windowMs: 3_600_000 },
});

const HOUR = 3_600_000;

/** A 6-digit code that is surely not `code`. */
function otherThan(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }) });
function errorOf(json: unknown): z.infer<typeof errorBody>['error'] {
  return errorBody.parse(json).error;
}

async function formPost(url: string, fields: Record<string, string>): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', 'accept-language': 'ja' }, body: new URLSearchParams(fields) });
  return { status: res.status, text: await res.text() };
}

for (const dialect of storeDialects) {
  describe(`per-email limits on codes on ${dialect}`, () => {
    let app: TestApp;
    before(async () => {
      app = await startApp(dialect, MISSKEY_POLICY);
    });
    after(async () => app.close());

    const file = async (email: string, ip: string) => {
      const filed = await app.service.fileRequest({ kind: 'purpose_notice', email, description: '', lang: 'ja' }, { ip });
      // The code of this filing is in the latest mail to the address (the mailer lowercases the domain).
      return { ...filed, code: await codeFromMail(app, email.replace(/@.*$/, (d) => d.toLowerCase())) };
    };

    test('code guesses for one email are capped across all of its requests and client addresses, with a 429 a person understands', async () => {
      const r1 = await file('victim@example.jp', '203.0.113.1');
      const r2 = await file('victim@example.jp', '203.0.113.2');
      const r3 = await file('Victim@Example.jp', '203.0.113.3');
      assert.equal((await app.store.db.selectFrom('requests').select('email').where('id', '=', r3.id).executeTakeFirstOrThrow()).email, 'Victim@Example.jp');
      const other = await file('bystander@example.jp', '203.0.113.3');

      // Four wrong guesses spread over two requests and two addresses use up the address's allowance …
      for (const [r, ip] of [[r1, '203.0.113.1'], [r1, '203.0.113.1'], [r2, '203.0.113.2'], [r2, '203.0.113.2']] as const) {
        await assert.rejects(app.service.verifyRequest(r.id, { code: otherThan(r.code) }, { ip }), { code: 'MAMORI_REQUEST_CODE_INVALID' });
      }
      // … so a third request for the same address (differently cased), from a fresh address, gets no more guesses.
      const api = await postJson(`${app.url}/api/v1/requests/${r3.id}/verify`, { code: otherThan(r3.code) }, { 'x-request-token': r3.token });
      assert.equal(api.status, 429);
      const err = errorOf(api.json);
      assert.equal(err.code, 'MAMORI_RATE_LIMITED');
      assert.match(err.message, /Too many codes were entered for this email address.*wait about \d+ minute/);
      assert.equal(err.details?.limit, 'code_attempts_for_email');
      assert.ok(Number(err.details?.retryAfterSeconds) > 0 && Number(err.details?.retryAfterSeconds) <= 3600);
      // Even the right code is refused while the limit holds: a guesser learns nothing from the answer.
      await assert.rejects(app.service.verifyRequest(r3.id, { code: r3.code }, { ip: '203.0.113.9' }), { code: 'MAMORI_RATE_LIMITED' });
      const page = await formPost(`${app.url}/privacy-center/requests/${r3.id}/verify?token=${encodeURIComponent(r3.token)}&lang=ja`, { code: r3.code, lang: 'ja' });
      assert.equal(page.status, 429);
      assert.match(page.text, /短い時間に多くの操作があったため/);
      assert.doesNotMatch(page.text, /victim@example\.jp/i);

      // The refused attempts never reached the request's own code: its five tries are intact.
      const codeRow = await app.store.db.selectFrom('request_codes').select('attempts').where('request_id', '=', r3.id).executeTakeFirstOrThrow();
      assert.equal(Number(codeRow.attempts), 0);
      // Another address from the same client is not affected.
      assert.notEqual((await app.service.verifyRequest(other.id, { code: other.code }, { ip: '203.0.113.3' })).state, 'awaiting_verification');

      // Counters are keyed by a keyed hash: no address in the table.
      const buckets = await app.store.db.selectFrom('request_rate_limits').select('bucket').execute();
      assert.ok(buckets.some((b) => b.bucket.startsWith('code-email:')));
      assert.ok(buckets.every((b) => !b.bucket.includes('@') && !/victim|bystander|203\.0/i.test(b.bucket)), 'buckets reveal no email or address');

      // When the window has passed, the person asks for a new code (the old one expired meanwhile) and it works.
      app.clock.advance(HOUR + 1000);
      await app.service.resendCode(r3.id, r3.token);
      const fresh = await codeFromMail(app, 'Victim@example.jp');
      const view = await app.service.verifyRequest(r3.id, { code: fresh }, { ip: '203.0.113.3' });
      assert.notEqual(view.state, 'awaiting_verification');
    });

    test('new codes for one email are capped across all of its requests', async () => {
      app.clock.advance(HOUR + 1000);
      const r1 = await file('resend@example.jp', '198.51.100.1');
      const r2 = await file('resend@example.jp', '198.51.100.2');
      const other = await file('someone@example.jp', '198.51.100.2');
      const resend = (id: string, token: string) => fetch(`${app.url}/api/v1/requests/${id}/code`, { method: 'POST', headers: { 'x-request-token': token } });

      assert.equal((await resend(r1.id, r1.token)).status, 202);
      assert.equal((await resend(r1.id, r1.token)).status, 202);
      assert.equal((await resend(r2.id, r2.token)).status, 202);
      // The fourth new code for the address is refused, although each request is far below its own limit of 5.
      const refused = await resend(r2.id, r2.token);
      assert.equal(refused.status, 429);
      const err = errorOf(await refused.json());
      assert.equal(err.code, 'MAMORI_RATE_LIMITED');
      assert.match(err.message, /Too many new codes were asked for this email address/);
      assert.equal(err.details?.limit, 'new_codes_for_email');
      const page = await formPost(`${app.url}/privacy-center/requests/${r1.id}/resend?token=${encodeURIComponent(r1.token)}&lang=ja`, {});
      assert.equal(page.status, 429);
      assert.match(page.text, /しばらく時間をおいてから/);

      await app.drain();
      const codeMails = app.smtp.mails.filter((m) => m.to && !Array.isArray(m.to) && m.to.text.includes('resend@example.jp'));
      assert.equal(codeMails.length, 5, 'two filings and three re-sends: nothing mailed for the refused ones');
      assert.equal((await resend(other.id, other.token)).status, 202, 'another address is not affected');

      app.clock.advance(HOUR + 1000);
      assert.equal((await resend(r2.id, r2.token)).status, 202, 'allowed again after the window');
    });
  });
}

test('MAMORI_REQUEST_LIMITS sets the per-email limits over the defaults and refuses a bad value', () => {
  const limits = requestRateLimitsFromEnv({ MAMORI_REQUEST_LIMITS: '{"codeAttemptsPerEmail":{"limit":7,"windowMs":60000}}' });
  assert.deepEqual(limits.codeAttemptsPerEmail, { limit: 7, windowMs: 60_000 });
  assert.deepEqual(limits.newCodesPerEmail, defaultRequestRateLimits.newCodesPerEmail);
  assert.ok(defaultRequestRateLimits.codeAttemptsPerEmail.limit >= 10 && defaultRequestRateLimits.codeAttemptsPerEmail.limit <= 30, 'a person with a few typos never meets the default');
  assert.throws(() => requestRateLimitsFromEnv({ MAMORI_REQUEST_LIMITS: '{"newCodesPerEmail":{"limit":0,"windowMs":60000}}' }), { code: 'MAMORI_CONFIG_INVALID' });
  assert.throws(() => requestRateLimitsFromEnv({ MAMORI_REQUEST_LIMITS: '{"codesPerEmail":{"limit":3,"windowMs":60000}}' }), { code: 'MAMORI_CONFIG_INVALID' });
});
