import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { DAY_MS } from '../../src/clock.ts';
import { createApiKey } from '../../src/staff/api-keys.ts';
import { createStaffUser } from '../../src/staff/staff-users.ts';
import type { StaffRole } from '../../src/http/staff-auth.ts';
import { fileUnpaidDisclosure, errorCode, MISSKEY_POLICY, startApp, type TestApp } from './request-test-kit.ts';

async function keyFor(app: TestApp, role: StaffRole): Promise<string> {
  return (await createApiKey(app.store.db, app.clock, { name: `${role} key`, role, actor: 'cli' })).key;
}

async function call(app: TestApp, key: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${app.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, json: text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : null };
}

const asRecord = (v: unknown): Record<string, unknown> => z.record(z.string(), z.unknown()).parse(v);

/** The documented 200 schema of one operation, from the served OpenAPI document. */
function documentedSchema(doc: unknown, path: string, method: string): Record<string, unknown> {
  const op = z.object({ paths: z.record(z.string(), z.record(z.string(), z.object({ responses: z.record(z.string(), z.object({ content: z.record(z.string(), z.object({ schema: z.record(z.string(), z.unknown()) })).optional() })) }))) }).parse(doc).paths[path]?.[method];
  const schema = op?.responses['200']?.content?.['application/json']?.schema;
  assert.ok(schema, `${method} ${path} documents its 200 answer`);
  return schema;
}

/** The documented schema, made strict about the payment and timeline fields so an undocumented or mistyped one fails. */
function validatorFor(schema: Record<string, unknown>): z.ZodType {
  return z.fromJSONSchema(structuredClone(schema));
}

describe('staff API: assignment, internal notes, payment reference; the OpenAPI document describes payment and timeline', () => {
  test('the status and staff views match the documented schemas, including the payment instructions, the 8-digit reference, the deadline and the timeline', async () => {
    const app = await startApp('sqlite', MISSKEY_POLICY, { start: '2026-11-01T03:00:00Z' });
    try {
      const doc: unknown = await (await fetch(`${app.url}/api/v1/openapi.json`)).json();
      const key = await keyFor(app, 'staff');
      const { id, token } = await fileUnpaidDisclosure(app, 'hana@example.jp');

      const statusSchema = documentedSchema(doc, '/api/v1/requests/{id}', 'get');
      const staffSchema = documentedSchema(doc, '/api/v1/console/requests/{id}', 'get');
      // The fields are described, not merely allowed: named, required, with the reference's form.
      for (const s of [statusSchema, staffSchema]) {
        const props = asRecord(s.properties);
        assert.ok(z.array(z.string()).parse(s.required).includes('payment'), 'payment is a documented, required field');
        const payment = asRecord(asRecord(z.array(z.unknown()).parse(asRecord(props.payment).anyOf)[0]).properties);
        for (const field of ['amount', 'wording', 'methods', 'reference', 'dueAt', 'bankAccount', 'paymentUrl', 'paid']) assert.ok(field in payment, `payment.${field} is documented`);
        assert.match(JSON.stringify(payment.reference), /\^\\\\d\{8\}\$/, 'the reference is documented as 8 digits');
        assert.match(JSON.stringify(payment.bankAccount), /holderKana/);
        assert.ok('timeline' in props, 'the timeline is documented');
      }
      assert.match(JSON.stringify(asRecord(statusSchema.properties).timeline), /payment_requested/, 'the requester timeline documents its steps');

      const status = await fetch(`${app.url}/api/v1/requests/${id}`, { headers: { 'x-request-token': token } });
      assert.equal(status.status, 200);
      const statusJson: unknown = await status.json();
      validatorFor(statusSchema).parse(statusJson);
      const payment = z.object({ reference: z.string(), dueAt: z.string(), amount: z.number(), bankAccount: z.object({ holderKana: z.string() }), paid: z.boolean() }).parse(asRecord(statusJson).payment);
      assert.match(payment.reference, /^\d{8}$/);
      assert.equal(payment.amount, 1500);
      assert.equal(payment.paid, false);
      assert.deepEqual(z.array(z.object({ step: z.string() })).parse(asRecord(statusJson).timeline).map((e) => e.step).slice(0, 2), ['filed', 'email_verified']);

      const staffView = await call(app, key, 'GET', `/api/v1/console/requests/${id}`);
      assert.equal(staffView.status, 200);
      validatorFor(staffSchema).parse(staffView.json);
      assert.equal(z.object({ payment: z.object({ reference: z.string() }) }).parse(staffView.json).payment.reference, payment.reference, 'staff see the reference the person was given');

      // A mistyped answer fails the documented schema: the check has teeth.
      assert.throws(() => validatorFor(statusSchema).parse({ ...asRecord(statusJson), payment: { ...payment, reference: 'req_abc' } }));

      // After the deadline the request lapses; the answer still matches, with the lapse on the timeline.
      app.clock.advance(32 * DAY_MS);
      assert.deepEqual(await app.service.lapseUnpaidRequests(), { lapsed: 1 });
      const lapsed: unknown = await (await fetch(`${app.url}/api/v1/requests/${id}`, { headers: { 'x-request-token': token } })).json();
      validatorFor(statusSchema).parse(lapsed);
      assert.equal(asRecord(lapsed).state, 'lapsed');
      assert.ok(z.array(z.object({ step: z.string() })).parse(asRecord(lapsed).timeline).some((e) => e.step === 'lapsed'));
    } finally {
      await app.close();
    }
  });

  test('the queue finds a request by the 8-digit payment reference a bank transfer carries', async () => {
    const app = await startApp('sqlite', MISSKEY_POLICY);
    try {
      const key = await keyFor(app, 'staff');
      const { id, token } = await fileUnpaidDisclosure(app, 'ren@example.jp');
      await fileUnpaidDisclosure(app, 'other@example.jp');
      const reference = z.object({ payment: z.object({ reference: z.string() }) }).parse((await (await fetch(`${app.url}/api/v1/requests/${id}`, { headers: { 'x-request-token': token } })).json())).payment.reference;
      const found = await call(app, key, 'GET', `/api/v1/console/requests?q=${reference}`);
      assert.deepEqual(z.object({ items: z.array(z.object({ id: z.string() })) }).parse(found.json).items.map((i) => i.id), [id]);
      // As staff may copy it from a bank statement: full-width digits and a space in the middle.
      const wide = `${String.fromCharCode(...[...reference.slice(0, 4)].map((c) => c.charCodeAt(0) + 0xfee0))} ${reference.slice(4)}`;
      const foundWide = await call(app, key, 'GET', `/api/v1/console/requests?q=${encodeURIComponent(wide)}`);
      assert.deepEqual(z.object({ items: z.array(z.object({ id: z.string() })) }).parse(foundWide.json).items.map((i) => i.id), [id]);
    } finally {
      await app.close();
    }
  });

  test('staff assign a request and add internal notes through the API; roles are enforced, both are audited, the note stays out of the audit chain', async () => {
    const app = await startApp('sqlite', MISSKEY_POLICY);
    try {
      const staffKey = await keyFor(app, 'staff');
      const auditorKey = await keyFor(app, 'auditor');
      const handler = await createStaffUser(app.store.db, app.clock, { email: 'tanaka@example.jp', role: 'staff', password: 'a long enough password 1', actor: 'cli' });
      const auditor = await createStaffUser(app.store.db, app.clock, { email: 'kansa@example.jp', role: 'auditor', password: 'a long enough password 2', actor: 'cli' });
      const { id } = await fileUnpaidDisclosure(app, 'aoi@example.jp');

      const refused = await call(app, auditorKey, 'POST', `/api/v1/console/requests/${id}/assign`, { assignee: handler.id });
      assert.equal(refused.status, 403);
      assert.equal(errorCode(asRecord(refused.json)), 'MAMORI_FORBIDDEN');
      assert.equal((await call(app, auditorKey, 'POST', `/api/v1/console/requests/${id}/notes`, { text: 'x' })).status, 403);

      assert.equal((await call(app, staffKey, 'POST', `/api/v1/console/requests/${id}/assign`, { assignee: handler.id })).status, 204);
      const toAuditor = await call(app, staffKey, 'POST', `/api/v1/console/requests/${id}/assign`, { assignee: auditor.id });
      assert.equal(toAuditor.status, 400, 'an auditor does not handle requests');
      assert.equal((await call(app, staffKey, 'POST', `/api/v1/console/requests/${id}/assign`, { who: handler.id })).status, 400, 'the body is checked');
      assert.equal((await call(app, staffKey, 'POST', '/api/v1/console/requests/req_nosuch/assign', { assignee: null })).status, 404);
      const list = await call(app, staffKey, 'GET', `/api/v1/console/requests?assignee=${handler.id}`);
      assert.deepEqual(z.object({ items: z.array(z.object({ id: z.string(), assignee: z.string().nullable() })) }).parse(list.json).items.map((i) => [i.id, i.assignee]), [[id, handler.id]]);

      assert.equal((await call(app, staffKey, 'POST', `/api/v1/console/requests/${id}/notes`, { text: '振込名義がカタカナの旧姓でした' })).status, 201);
      assert.equal((await call(app, staffKey, 'POST', `/api/v1/console/requests/${id}/notes`, { text: '   ' })).status, 400, 'an empty note is refused');
      assert.equal((await call(app, staffKey, 'POST', `/api/v1/console/requests/${id}/notes`, { text: 'x'.repeat(2001) })).status, 400, 'a note has a limit');
      const notes = await call(app, auditorKey, 'GET', `/api/v1/console/requests/${id}/notes`);
      assert.equal(notes.status, 200);
      const parsed = z.object({ notes: z.array(z.object({ n: z.number(), at: z.string(), actor: z.string(), text: z.string() })) }).parse(notes.json);
      assert.deepEqual(parsed.notes.map((n) => n.text), ['振込名義がカタカナの旧姓でした']);
      assert.match(parsed.notes[0]?.actor ?? '', /^apikey:/);

      const audit = await app.store.db.selectFrom('audit_events').select(['action', 'actor', 'data']).where('target_id', '=', id).orderBy('seq').execute();
      const actions = audit.map((a) => a.action);
      assert.ok(actions.includes('request.assigned') && actions.includes('request.note_added'), 'assignment and the note are audited');
      assert.ok(audit.filter((a) => a.action === 'request.viewed').length >= 1, 'reading the notes is a recorded view');
      assert.ok(!JSON.stringify(audit).includes('旧姓'), 'the words of a note stay out of the audit chain');

      const doc = z.object({ paths: z.record(z.string(), z.record(z.string(), z.object({ requestBody: z.unknown().optional() }))) }).parse(await (await fetch(`${app.url}/api/v1/openapi.json`)).json());
      assert.ok(doc.paths['/api/v1/console/requests/{id}/assign']?.post?.requestBody, 'assign is documented with its body');
      assert.ok(doc.paths['/api/v1/console/requests/{id}/notes']?.post?.requestBody, 'adding a note is documented with its body');
      assert.ok(doc.paths['/api/v1/console/requests/{id}/notes']?.get, 'reading notes is documented');
    } finally {
      await app.close();
    }
  });
});
