import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createApiKey } from '../../src/staff/api-keys.ts';
import type { StaffRole } from '../../src/http/staff-auth.ts';
import { storeDialects } from '../support/stores.ts';
import { codeFromMail, errorCode, HOSTING_EXAMPLE, MISSKEY_POLICY, PDF_BYTES, PNG_BYTES, postJson, startApp, type TestApp } from './request-test-kit.ts';

async function keyFor(app: TestApp, role: StaffRole): Promise<string> {
  return (await createApiKey(app.store.db, app.clock, { name: `${role} key`, role, actor: 'cli' })).key;
}

async function call(app: TestApp, key: string | null, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown>; text: string }> {
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${app.url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = text && res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = {};
  }
  return { status: res.status, json, text };
}

for (const dialect of storeDialects) {
  describe(`staff request API on ${dialect}`, () => {
    test('staff enter a postal agent request with scans through the API key, and an officer decides; roles are enforced', async () => {
      const app = await startApp(dialect, HOSTING_EXAMPLE);
      try {
        const staffKey = await keyFor(app, 'staff');
        const officerKey = await keyFor(app, 'officer');
        const auditorKey = await keyFor(app, 'auditor');

        assert.equal(errorCode((await call(app, null, 'GET', '/api/v1/console/requests')).json), 'MAMORI_API_KEY_INVALID');
        assert.equal((await call(app, 'mk_bogus_key', 'GET', '/api/v1/console/requests')).status, 401);

        const form = new FormData();
        for (const [k, v] of Object.entries({ kind: 'disclosure', channel: 'postal_requests', description: '郵送で届いた開示請求', lang: 'ja', agent_kind: 'legal_representative', agent_relationship: '親権者', agent_name: '親 一郎' })) form.append(k, v);
        form.append('request_form', new Blob([new Uint8Array(PDF_BYTES)], { type: 'application/pdf' }), 'form.pdf');
        form.append('identity_document', new Blob([new Uint8Array(PNG_BYTES)], { type: 'image/png' }), 'id.png');
        form.append('family_register', new Blob([new Uint8Array(PDF_BYTES)], { type: 'application/pdf' }), 'koseki.pdf');
        const auditorEnter = await fetch(`${app.url}/api/v1/console/requests`, { method: 'POST', headers: { authorization: `Bearer ${auditorKey}` }, body: form });
        assert.equal(auditorEnter.status, 403);
        const entered = await fetch(`${app.url}/api/v1/console/requests`, { method: 'POST', headers: { authorization: `Bearer ${staffKey}` }, body: form });
        const enteredJson = (await entered.json()) as { id: string };
        assert.equal(entered.status, 201, JSON.stringify(enteredJson));
        const id = enteredJson.id;

        const got = await call(app, staffKey, 'GET', `/api/v1/console/requests/${id}`);
        assert.equal(got.status, 200);
        assert.equal(got.json.state, 'verified');
        const files = got.json.files as Array<{ id: string; proofKind: string | null }>;
        assert.equal(files.length, 3);
        const file = await fetch(`${app.url}/api/v1/console/requests/${id}/files/${files.find((f) => f.proofKind === 'family_register')?.id}`, { headers: { authorization: `Bearer ${staffKey}` } });
        assert.equal(file.status, 200);
        assert.ok(Buffer.from(await file.arrayBuffer()).equals(PDF_BYTES));

        assert.equal((await call(app, staffKey, 'POST', `/api/v1/console/requests/${id}/payment`, { method: 'bank_transfer', reference: 'RESONA-55', amount: 5500 })).status, 204);
        assert.equal((await call(app, staffKey, 'POST', `/api/v1/console/requests/${id}/confirm-identity`, { note: '戸籍謄本で親権を確認' })).status, 204);
        assert.equal((await call(app, staffKey, 'POST', `/api/v1/console/requests/${id}/gather`, { title: { ja: '契約情報', en: 'Contract' }, groups: [{ name: 'contracts', rows: [{ plan: 'ライト' }] }] })).status, 201);

        const staffDecides = await call(app, staffKey, 'POST', `/api/v1/console/requests/${id}/decision`, { outcome: 'full' });
        assert.equal(staffDecides.status, 403);
        assert.equal(errorCode(staffDecides.json), 'MAMORI_FORBIDDEN');
        const badGround = await call(app, officerKey, 'POST', `/api/v1/console/requests/${id}/decision`, { outcome: 'refused', ground: 'not_untrue', reason: 'x' });
        assert.equal(errorCode(badGround.json), 'MAMORI_REQUEST_GROUND_INVALID');
        const noReason = await call(app, officerKey, 'POST', `/api/v1/console/requests/${id}/decision`, { outcome: 'partial', ground: 'violates_other_law' });
        assert.equal(errorCode(noReason.json), 'MAMORI_REQUEST_DECISION_INVALID');
        assert.equal((await call(app, officerKey, 'POST', `/api/v1/console/requests/${id}/decision`, { outcome: 'partial', ground: 'harm_to_person_or_third_party', reason: '第三者の個人情報を含む記録は開示しません。' })).status, 204);
        const delivered = await call(app, staffKey, 'POST', `/api/v1/console/requests/${id}/deliver`);
        assert.equal(delivered.json.format, 'letter');
        const letter = await call(app, staffKey, 'GET', `/api/v1/console/requests/${id}/letter`);
        assert.match(letter.text, /33条2項1号/);
        assert.match(letter.text, /第三者の個人情報を含む記録は開示しません/);
        assert.match(letter.text, /ライト/);
        assert.equal((await call(app, staffKey, 'POST', `/api/v1/console/requests/${id}/close`)).status, 204);

        const list = await call(app, auditorKey, 'GET', '/api/v1/console/requests?state=closed&kind=disclosure');
        assert.deepEqual((list.json.items as Array<{ id: string }>).map((i) => i.id), [id]);
        assert.equal((await call(app, auditorKey, 'GET', '/api/v1/console/requests?state=nonsense')).status, 400);
        const final = await call(app, auditorKey, 'GET', `/api/v1/console/requests/${id}`);
        const timeline = final.json.timeline as Array<{ actor: string; action: string }>;
        assert.ok(timeline.some((e) => e.action === 'decided' && e.actor.startsWith('apikey:')));
        assert.deepEqual(timeline.filter((e) => e.action.endsWith('viewed')).map((e) => e.action), ['viewed', 'file_viewed', 'letter_viewed', 'viewed'], 'every staff view is on the timeline');
        const audit = final.json.audit as Array<{ action: string; data: Record<string, unknown> }>;
        assert.ok(!JSON.stringify(audit).includes('戸籍謄本'), 'staff notes stay out of the audit chain');
      } finally {
        await app.close();
      }
    });

    test('every request operation is in the OpenAPI document, and the requester API answers with the status link flow', async () => {
      const app = await startApp(dialect, MISSKEY_POLICY);
      try {
        const doc = (await (await fetch(`${app.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
        for (const [path, method] of [
          ['/api/v1/requests', 'post'], ['/api/v1/requests/{id}/verify', 'post'], ['/api/v1/requests/{id}', 'get'], ['/api/v1/requests/{id}/package', 'get'],
          ['/api/v1/payments/webhook', 'post'], ['/api/v1/console/requests', 'get'], ['/api/v1/console/requests/{id}', 'get'], ['/api/v1/console/requests/{id}/confirm-identity', 'post'],
          ['/api/v1/console/requests/{id}/payment', 'post'], ['/api/v1/console/requests/{id}/gather', 'post'], ['/api/v1/console/requests/{id}/decision', 'post'],
          ['/api/v1/console/requests/{id}/deliver', 'post'], ['/api/v1/console/requests/{id}/close', 'post'],
        ] as const) {
          assert.ok(doc.paths[path]?.[method], `${method} ${path} is documented`);
        }
        const filed = await postJson(`${app.url}/api/v1/requests`, { kind: 'suspension', email: 'flow@example.jp', lang: 'ja' });
        const id = String(filed.json.id);
        await postJson(`${app.url}/api/v1/requests/${id}/verify`, { code: await codeFromMail(app, 'flow@example.jp') }, { 'x-request-token': String(filed.json.token) });
        const withdrawn = await postJson(`${app.url}/api/v1/requests/${id}/withdraw`, {}, { 'x-request-token': String(filed.json.token) });
        assert.equal(withdrawn.json.state, 'withdrawn');
        const again = await postJson(`${app.url}/api/v1/requests/${id}/withdraw`, {}, { 'x-request-token': String(filed.json.token) });
        assert.equal(errorCode(again.json), 'MAMORI_REQUEST_STATE_CONFLICT');
      } finally {
        await app.close();
      }
    });
  });
}
