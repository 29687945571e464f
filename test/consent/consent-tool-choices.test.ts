import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { storeDialects } from '../support/stores.ts';
import { verifyReceiptProof } from '../../src/consent/consent-receipts.ts';
import { decisionsResponse, receipt as receiptSchema, subjectConsents } from '../../src/consent/consent-api-schemas.ts';
import { anonId, loadFixturePolicy, startConsentServer, type ConsentTestServer } from './consent-server.ts';

/** The fixture policy with a second analytics tool, so the analytics purpose has a switch per tool. */
const withClarity = (yaml: string): string => yaml.replace('  - id: sentry\n', '  - id: clarity\n    catalog: microsoft_clarity\n    purpose: analytics\n  - id: sentry\n');

for (const dialect of storeDialects) {
  describe(`per-tool choices are kept on the receipt (${dialect})`, () => {
    let s: ConsentTestServer;
    before(async () => {
      s = await startConsentServer(dialect, { policy: loadFixturePolicy(withClarity) });
    });
    after(() => s?.close());

    const auth = () => ({ authorization: `Bearer ${s.apiKey}` });
    const post = (body: unknown) => fetch(`${s.url}/api/v1/consents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const version = async () => ((await (await fetch(`${s.url}/api/v1/consent/config`)).json()) as { version: string }).version;

    test('a banner receipt with one tool switched off: the receipt, the decisions, the subject export and the receipts export show it', async () => {
      const subject = anonId();
      const shown = await version();
      const res = await post({ subject, choices: { analytics: true, ads: false }, tools: { analytics: { ga: true, clarity: false } }, method: 'banner', policyVersion: shown });
      assert.equal(res.status, 201);
      const r = receiptSchema.parse(((await res.json()) as { receipt: unknown }).receipt);
      assert.deepEqual(r.tools, { analytics: { ga: true, clarity: false } });
      assert.ok(verifyReceiptProof(Buffer.alloc(32, 7), r), 'the proof covers the tool choices');
      assert.ok(!verifyReceiptProof(Buffer.alloc(32, 7), { ...r, tools: { analytics: { ga: true, clarity: true } } }), 'a changed tool choice fails the proof');

      const all = decisionsResponse.parse(await (await fetch(`${s.url}/api/v1/decisions?subject=${subject}`, { headers: auth() })).json());
      assert.equal(all.decisions.analytics?.allowed, true);
      assert.deepEqual(all.decisions.analytics?.tools, { ga: true, clarity: false });
      assert.deepEqual(all.decisions.ads?.tools, { gads: false }, 'a refused purpose refuses its tools');
      assert.equal(all.decisions.service?.tools, undefined, 'a purpose without tools has none');
      const one = (await (await fetch(`${s.url}/api/v1/decisions?subject=${subject}&purpose=analytics`, { headers: auth() })).json()) as { tools?: unknown };
      assert.deepEqual(one.tools, { ga: true, clarity: false });

      const mine = subjectConsents.parse(await (await fetch(`${s.url}/api/v1/consents/${subject}`, { headers: auth() })).json());
      assert.deepEqual(mine.receipts[0]?.tools, { analytics: { ga: true, clarity: false } });
      assert.equal(mine.preferences['analytics/clarity']?.allowed, false);
      assert.equal(mine.preferences['analytics/ga']?.allowed, true);

      const month = new Date().toISOString().slice(0, 7);
      const next = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 1)).toISOString().slice(0, 7);
      const lines = (await (await fetch(`${s.url}/api/v1/consents/export?from=${month}&to=${next}`, { headers: auth() })).text()).trim().split('\n');
      const exported = lines.map((l) => receiptSchema.parse(JSON.parse(l))).find((x) => x.id === r.id);
      assert.deepEqual(exported?.tools, { analytics: { ga: true, clarity: false } });
      assert.ok(exported && verifyReceiptProof(Buffer.alloc(32, 7), exported), 'the exported receipt still proves itself');
    });

    test('switching the tool back on flips only that tool; a receipt without tools carries none', async () => {
      const subject = anonId();
      const shown = await version();
      assert.equal((await post({ subject, choices: { analytics: true }, tools: { analytics: { ga: true, clarity: false } }, method: 'banner', policyVersion: shown })).status, 201);
      assert.equal((await post({ subject, choices: { analytics: true }, tools: { analytics: { clarity: true } }, method: 'banner', policyVersion: shown })).status, 201);
      const all = decisionsResponse.parse(await (await fetch(`${s.url}/api/v1/decisions?subject=${subject}`, { headers: auth() })).json());
      assert.deepEqual(all.decisions.analytics?.tools, { ga: true, clarity: true });
      const plain = receiptSchema.parse(((await (await post({ subject, choices: { ads: true }, method: 'banner', policyVersion: shown })).json()) as { receipt: unknown }).receipt);
      assert.equal('tools' in plain, false);
    });

    test('a tool that does not serve the purpose, or a purpose without choice, is refused with a stable code', async () => {
      const shown = await version();
      const code = async (res: Response) => [res.status, ((await res.json()) as { error: { code: string } }).error.code];
      assert.deepEqual(await code(await post({ subject: anonId(), choices: { analytics: true }, tools: { analytics: { gads: false } }, method: 'banner', policyVersion: shown })), [400, 'MAMORI_CONSENT_UNKNOWN_PURPOSE']);
      assert.deepEqual(await code(await post({ subject: anonId(), choices: { analytics: true }, tools: { service: { x: false } }, method: 'banner', policyVersion: shown })), [400, 'MAMORI_CONSENT_PURPOSE_NOT_CHOOSABLE']);
      assert.deepEqual(await code(await post({ subject: anonId(), choices: { analytics: true }, tools: { analytics: { 'Bad-Id': false } }, method: 'banner', policyVersion: shown })), [400, 'MAMORI_CONSENT_INVALID_BODY']);
    });
  });
}
