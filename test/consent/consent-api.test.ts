import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { z } from 'zod';
import { storeDialects } from '../support/stores.ts';
import { createAssertion } from '../../src/auth/signed-assertion.ts';
import { verifyReceiptProof } from '../../src/consent/consent-receipts.ts';
import { receipt as receiptSchema } from '../../src/consent/consent-api-schemas.ts';
import { ALLOWED_ORIGIN, ASSERTION_SECRET, anonId, loadFixturePolicy, startConsentServer, type ConsentTestServer } from './consent-server.ts';

for (const dialect of storeDialects) {
  describe(`consent API (${dialect})`, () => {
    let s: ConsentTestServer;
    before(async () => {
      s = await startConsentServer(dialect);
    });
    after(async () => {
      await s.close();
    });

    const auth = () => ({ authorization: `Bearer ${s.apiKey}` });
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${s.url}/api/v1/consents`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const decideOne = async (subject: string, purpose: string) => {
      const res = await fetch(`${s.url}/api/v1/decisions?subject=${encodeURIComponent(subject)}&purpose=${purpose}`, { headers: auth() });
      assert.equal(res.status, 200);
      return (await res.json()) as { allowed: boolean; basis: string; policyVersion: string };
    };

    test('defaults: consent purposes denied, opt-out purposes allowed, none purposes always allowed', async () => {
      const subject = anonId();
      assert.deepEqual(await decideOne(subject, 'analytics'), { allowed: false, basis: 'no_consent', policyVersion: (await decideOne(subject, 'analytics')).policyVersion, tools: { ga: false } });
      assert.equal((await decideOne(subject, 'error_reports')).basis, 'opt_out_default');
      assert.equal((await decideOne(subject, 'error_reports')).allowed, true);
      const service = await decideOne(subject, 'service');
      assert.equal(service.allowed, true);
      assert.equal(service.basis, 'not_required');
    });

    test('a banner receipt from a browser id is stored with a valid proof and changes the decision', async () => {
      const subject = anonId();
      const shown = ((await (await fetch(`${s.url}/api/v1/consent/config`)).json()) as { version: string }).version;
      const res = await post({ subject, choices: { analytics: true, ads: false }, method: 'banner', policyVersion: shown });
      assert.equal(res.status, 201);
      const { receipt } = (await res.json()) as { receipt: unknown };
      const r = receiptSchema.parse(receipt);
      assert.equal(r.subjectKind, 'browser');
      assert.equal(r.policyVersion, shown);
      assert.ok(verifyReceiptProof(Buffer.alloc(32, 7), r));
      assert.ok(!verifyReceiptProof(Buffer.alloc(32, 7), { ...r, choices: { analytics: false, ads: false } }), 'a changed receipt fails its proof');
      assert.deepEqual(await decideOne(subject, 'analytics'), { allowed: true, basis: 'consent', policyVersion: shown, tools: { ga: true } });
      assert.equal((await decideOne(subject, 'ads')).basis, 'refused');
    });

    test('withdrawal is a new receipt: the decision flips and the export keeps both receipts in order', async () => {
      const subject = 'user-42';
      assert.equal((await post({ subject, choices: { analytics: true }, method: 'api' }, auth())).status, 201);
      assert.equal((await decideOne(subject, 'analytics')).allowed, true);
      assert.equal((await post({ subject, choices: { analytics: false, error_reports: false }, method: 'api' }, auth())).status, 201);
      const analytics = await decideOne(subject, 'analytics');
      assert.equal(analytics.allowed, false);
      assert.equal(analytics.basis, 'refused');
      assert.equal((await decideOne(subject, 'error_reports')).basis, 'refused');

      const exp = await fetch(`${s.url}/api/v1/consents/${subject}`, { headers: auth() });
      assert.equal(exp.status, 200);
      const body = (await exp.json()) as { receipts: Array<{ choices: Record<string, boolean>; method: string }>; preferences: Record<string, { allowed: boolean }> };
      assert.deepEqual(body.receipts.map((r) => r.choices), [{ analytics: true }, { analytics: false, error_reports: false }]);
      assert.equal(body.preferences.analytics?.allowed, false);
      const exported = await s.store.db.selectFrom('audit_events').select('action').where('action', '=', 'consent.exported').execute();
      assert.ok(exported.length >= 1, 'an export by API key is audited');
    });

    test('batch decisions answer many purposes with an ETag that changes when a choice is recorded', async () => {
      const subject = anonId();
      const url = `${s.url}/api/v1/decisions?subject=${subject}&purpose=analytics,error_reports,service`;
      const first = await fetch(url, { headers: auth() });
      const etag = first.headers.get('etag');
      const body = (await first.json()) as { decisions: Record<string, { allowed: boolean }> };
      assert.deepEqual(Object.fromEntries(Object.entries(body.decisions).map(([k, v]) => [k, v.allowed])), { analytics: false, error_reports: true, service: true });
      assert.ok(etag);
      assert.equal((await fetch(url, { headers: { ...auth(), 'if-none-match': etag } })).status, 304);
      await post({ subject, choices: { analytics: true }, method: 'banner' });
      const again = await fetch(url, { headers: { ...auth(), 'if-none-match': etag } });
      assert.equal(again.status, 200);
      assert.notEqual(again.headers.get('etag'), etag);
      const all = (await (await fetch(`${s.url}/api/v1/decisions?subject=${subject}`, { headers: auth() })).json()) as { decisions: Record<string, unknown> };
      assert.deepEqual(Object.keys(all.decisions).sort(), ['ads', 'analytics', 'error_reports', 'service']);
    });

    test('consent.js and its config are revalidated on each page load: 304 while unchanged, new body when the policy changes', async () => {
      for (const path of ['/consent.js', '/api/v1/consent/config']) {
        const first = await fetch(`${s.url}${path}`);
        assert.equal(first.status, 200);
        assert.equal(first.headers.get('cache-control'), 'public, no-cache', path);
        const etag = first.headers.get('etag');
        assert.ok(etag, path);
        const body = await first.text();
        const again = await fetch(`${s.url}${path}`, { headers: { 'if-none-match': etag } });
        assert.equal(again.status, 304, path);
        assert.equal(await again.text(), '');
        assert.equal((await fetch(`${s.url}${path}`, { headers: { 'if-none-match': `"other", W/${etag}` } })).status, 304, `${path}: a list and a weak tag match too`);
        const original = s.server.ctx.policy;
        s.server.ctx.policy = loadFixturePolicy((y) => y.replace('利用状況を分析してサービスを改善するため', '利用状況を分析し、新機能の検討にも使うため'));
        try {
          const changed = await fetch(`${s.url}${path}`, { headers: { 'if-none-match': etag } });
          assert.equal(changed.status, 200, `${path}: a changed policy is sent in full`);
          assert.notEqual(changed.headers.get('etag'), etag);
          const text = await changed.text();
          assert.notEqual(text, body);
          // consent.js carries the new version; the dialog's wording is fetched with the texts of that version.
          const version = ((await (await fetch(`${s.url}/api/v1/consent/config`)).json()) as { version: string }).version;
          assert.ok(text.includes(version), `${path} names the new version`);
          const shown = path === '/consent.js' ? await (await fetch(`${s.url}/api/v1/consent/texts?v=${version}`)).text() : text;
          assert.match(shown, /新機能の検討/);
        } finally {
          s.server.ctx.policy = original;
        }
      }
    });

    test('every receipt names a consent version mamori served, and the ledger shows what the banner said under it', async () => {
      const current = ((await (await fetch(`${s.url}/api/v1/consent/config`)).json()) as { version: string }).version;
      const code = async (res: Response) => [res.status, ((await res.json()) as { error: { code: string } }).error.code];
      // A version never served is refused from a browser and from an app, so no receipt points at wording nobody can show.
      assert.deepEqual(await code(await post({ subject: anonId(), choices: { analytics: true }, method: 'banner', policyVersion: 'made-up' })), [400, 'MAMORI_CONSENT_UNKNOWN_VERSION']);
      assert.deepEqual(await code(await post({ subject: 'user-501', choices: { analytics: true }, method: 'api', policyVersion: 'made-up' }, auth())), [400, 'MAMORI_CONSENT_UNKNOWN_VERSION']);
      assert.equal((await s.store.db.selectFrom('consent_receipts').select('id').where('subject', '=', 'user-501').execute()).length, 0, 'nothing stored');
      // An import from a previous tool keeps that tool's version label.
      assert.equal((await post({ subject: 'user-501', choices: { analytics: true }, method: 'import', policyVersion: 'legacy-2025' }, auth())).status, 201);

      // The policy changes: the next banner serves a new version, both resolve, and a receipt for the old one (a page
      // opened before the change) is still accepted.
      const original = s.server.ctx.policy;
      s.server.ctx.policy = loadFixturePolicy((y) => y.replace('利用状況を分析してサービスを改善するため', '利用状況を分析し、新機能の検討にも使うため'));
      try {
        const next = ((await (await fetch(`${s.url}/api/v1/consent/config`)).json()) as { version: string }).version;
        assert.notEqual(next, current);
        assert.equal((await post({ subject: anonId(), choices: { analytics: false }, method: 'banner', policyVersion: current })).status, 201);
        const list = (await (await fetch(`${s.url}/api/v1/consent/versions`)).json()) as { versions: { version: string }[] };
        assert.ok(list.versions.some((v) => v.version === current) && list.versions.some((v) => v.version === next));
        const shown = await fetch(`${s.url}/api/v1/consent/versions/${next}`);
        assert.equal(shown.status, 200);
        const body = (await shown.json()) as { version: string; purposes: { id: string; description: { ja: string } }[] };
        assert.match(body.purposes.find((p) => p.id === 'analytics')?.description.ja ?? '', /新機能の検討/);
        const old = (await (await fetch(`${s.url}/api/v1/consent/versions/${current}`)).json()) as { purposes: { id: string; description: { ja: string } }[] };
        assert.doesNotMatch(old.purposes.find((p) => p.id === 'analytics')?.description.ja ?? '', /新機能の検討/, 'the old version keeps its own wording');
      } finally {
        s.server.ctx.policy = original;
      }
      assert.deepEqual(await code(await fetch(`${s.url}/api/v1/consent/versions/nope`)), [404, 'MAMORI_CONSENT_VERSION_NOT_FOUND']);
    });

    test('CORS: a configured origin is answered, any other origin is refused', async () => {
      const pre = await fetch(`${s.url}/api/v1/consents`, { method: 'OPTIONS', headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'POST' } });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), ALLOWED_ORIGIN);
      const ok = await post({ subject: anonId(), choices: { analytics: false }, method: 'banner' }, { origin: ALLOWED_ORIGIN });
      assert.equal(ok.status, 201);
      assert.equal(ok.headers.get('access-control-allow-origin'), ALLOWED_ORIGIN);
      const badPre = await fetch(`${s.url}/api/v1/consents`, { method: 'OPTIONS', headers: { origin: 'http://evil.test', 'access-control-request-method': 'POST' } });
      assert.equal(badPre.status, 403);
      assert.equal(badPre.headers.get('access-control-allow-origin'), null);
      const bad = await post({ subject: anonId(), choices: { analytics: true }, method: 'banner' }, { origin: 'http://evil.test' });
      assert.equal(bad.status, 403);
      assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'MAMORI_CONSENT_ORIGIN_FORBIDDEN');
    });

    test('bad input gets a clear 4xx with a stable code', async () => {
      const code = async (res: Response) => [res.status, ((await res.json()) as { error: { code: string } }).error.code];
      assert.deepEqual(await code(await post({ subject: anonId(), choices: { nope: true }, method: 'banner' })), [400, 'MAMORI_CONSENT_UNKNOWN_PURPOSE']);
      assert.deepEqual(await code(await post({ subject: anonId(), choices: { service: false }, method: 'banner' })), [400, 'MAMORI_CONSENT_PURPOSE_NOT_CHOOSABLE']);
      assert.deepEqual(await code(await post({ subject: anonId(), choices: {}, method: 'banner' })), [400, 'MAMORI_CONSENT_INVALID_BODY']);
      assert.deepEqual(await code(await post({ subject: anonId(), choices: { analytics: 'yes' }, method: 'banner' })), [400, 'MAMORI_CONSENT_INVALID_BODY']);
      const malformed = await fetch(`${s.url}/api/v1/consents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"subject":' });
      assert.deepEqual(await code(malformed), [400, 'MAMORI_BAD_REQUEST']);
      const huge = await post({ subject: anonId(), choices: { analytics: true }, method: 'banner', pad: 'x'.repeat(20_000) });
      assert.deepEqual(await code(huge), [413, 'MAMORI_PAYLOAD_TOO_LARGE']);
      assert.deepEqual(await code(await post({ subject: 'user-42', choices: { analytics: true }, method: 'banner' })), [403, 'MAMORI_CONSENT_SUBJECT_FORBIDDEN']);
      assert.deepEqual(await code(await post({ subject: anonId(), choices: { analytics: true }, method: 'import' })), [403, 'MAMORI_CONSENT_METHOD_FORBIDDEN']);
      assert.deepEqual(await code(await fetch(`${s.url}/api/v1/decisions?subject=a&purpose=analytics`)), [401, 'MAMORI_API_KEY_INVALID']);
      assert.deepEqual(await code(await fetch(`${s.url}/api/v1/decisions?subject=a&purpose=analytics`, { headers: { authorization: 'Bearer mamori_ck_wrong' } })), [401, 'MAMORI_API_KEY_INVALID']);
      assert.deepEqual(await code(await fetch(`${s.url}/api/v1/decisions?subject=a&purpose=nope`, { headers: auth() })), [400, 'MAMORI_CONSENT_UNKNOWN_PURPOSE']);
      assert.deepEqual(await code(await fetch(`${s.url}/api/v1/decisions?purpose=analytics`, { headers: auth() })), [400, 'MAMORI_CONSENT_INVALID_BODY']);
    });

    test("the dialog's texts match the schema the OpenAPI document gives for them", async () => {
      const doc = (await (await fetch(`${s.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, { get: { responses: { '200': { content: Record<string, { schema: Record<string, unknown> }> } } } }> };
      const documented = doc.paths['/api/v1/consent/texts']?.get.responses['200'].content['application/json']?.schema;
      assert.ok(documented, 'the texts endpoint documents its answer');
      const texts = await (await fetch(`${s.url}/api/v1/consent/texts`)).json();
      const checked = z.fromJSONSchema(structuredClone(documented)).safeParse(texts);
      assert.equal(checked.success, true, JSON.stringify(checked.error?.issues));
      assert.equal(z.fromJSONSchema(structuredClone(documented)).safeParse({ v: 'x', p: [{ d: 'not a pair', t: [] }] }).success, false);
    });

    test('a logged-in page records for the user named by a signed assertion', async () => {
      const assertion = createAssertion({ sub: 'user-77', email: 'u77@example.jp', exp: Math.floor(Date.now() / 1000) + 600 }, ASSERTION_SECRET);
      const code = async (res: Response) => [res.status, ((await res.json()) as { error: { code: string } }).error.code];
      const first = await post({ assertion, choices: { analytics: true }, method: 'banner' });
      assert.equal(first.status, 201);
      const { session } = (await first.json()) as { session?: string };
      assert.equal(typeof session, 'string', 'a spent assertion hands back a consent session');
      assert.equal((await decideOne('user-77', 'analytics')).allowed, true);
      // One-time: the same assertion again records nothing.
      assert.deepEqual(await code(await post({ assertion, choices: { analytics: false }, method: 'banner' })), [401, 'MAMORI_REQUEST_ASSERTION_USED']);
      assert.equal((await decideOne('user-77', 'analytics')).allowed, true);
      // The session carries the same user's later choice, and names no one else.
      assert.equal((await post({ session, choices: { analytics: false }, method: 'settings' })).status, 201);
      assert.equal((await decideOne('user-77', 'analytics')).allowed, false);
      assert.deepEqual(await code(await post({ session, subject: 'user-78', choices: { analytics: true }, method: 'banner' })), [403, 'MAMORI_CONSENT_SUBJECT_FORBIDDEN']);
      const tampered = `${Buffer.from(JSON.stringify({ s: 'user-78', e: 9_999_999_999 })).toString('base64url')}.${session!.split('.')[1]}`;
      assert.deepEqual(await code(await post({ session: tampered, choices: { analytics: true }, method: 'banner' })), [401, 'MAMORI_CONSENT_ASSERTION_INVALID']);
      const forged = createAssertion({ sub: 'user-77', email: 'u77@example.jp', exp: Math.floor(Date.now() / 1000) + 600 }, 'another-secret-0123456789');
      assert.equal((await post({ assertion: forged, choices: { analytics: false }, method: 'banner' })).status, 401);
    });

    test("a disclosure gathers the person's receipts", async () => {
      await post({ subject: 'user-88', choices: { ads: false }, method: 'api' }, auth());
      const hooks = s.server.ctx.requestHooks;
      const sections = (await Promise.all(hooks.map((h) => h.gather?.({ id: 'req_1', kind: 'disclosure', identities: {}, subjectId: 'user-88' }) ?? []))).flat();
      const consent = sections.find((x) => x.source === 'consent');
      assert.ok(consent);
      const receipts = consent.groups.find((g) => g.name === 'receipts');
      assert.deepEqual(receipts?.rows.map((r) => r.choices), [{ ads: false }]);
      const shown = consent.groups.find((g) => g.name === 'versions_shown');
      assert.equal(shown?.rows.length, 1);
      assert.equal(shown?.rows[0]?.version, receipts?.rows[0]?.policy_version);
      assert.ok(Array.isArray(shown?.rows[0]?.purposes) && (shown.rows[0].purposes as unknown[]).length > 0, 'the disclosure shows what the person was asked');
    });

    test('a decision reads the current-preferences key, never scans receipts', async () => {
      const query = 'select allowed from consent_preferences where subject = $1 and purpose = $2';
      if (dialect === 'sqlite') {
        const plan = await sql.raw<{ detail: string }>(`explain query plan ${query.replace('$1', "'a'").replace('$2', "'b'")}`).execute(s.store.db);
        assert.match(plan.rows.map((r) => r.detail).join(' '), /USING PRIMARY KEY \(subject=\? AND purpose=\?\)/);
      } else {
        await s.store.db.connection().execute(async (conn) => {
          await sql`set enable_seqscan = off`.execute(conn);
          const plan = await sql.raw<{ 'QUERY PLAN': string }>(`explain ${query.replace('$1', "'a'").replace('$2', "'b'")}`).execute(conn);
          await sql`reset enable_seqscan`.execute(conn);
          assert.match(plan.rows.map((r) => r['QUERY PLAN']).join(' '), /Index (Only )?Scan using consent_preferences_pk/);
        });
      }
    });

    test('the consent operations are described in the OpenAPI document', async () => {
      const doc = (await (await fetch(`${s.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
      for (const [path, method] of [['/api/v1/consents', 'post'], ['/api/v1/consents/{subject}', 'get'], ['/api/v1/decisions', 'get'], ['/api/v1/consent/config', 'get'], ['/api/v1/consent/versions', 'get'], ['/api/v1/consent/versions/{version}', 'get']] as const) {
        assert.ok(doc.paths[path]?.[method], `${method} ${path}`);
      }
    });
  });
}
