import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { codeFromMail, errorCode, MISSKEY_POLICY, postJson, startApp } from './request-test-kit.ts';

/*
 * 35条: a person asking to stop use, erase or stop provision says which condition of the law applies (1項, 3項, and the
 * 5項 conditions added in 2022); staff see it, and the decision records the condition it found.
 */
describe('35条 conditions on suspension and stop-of-provision requests', () => {
  test('the privacy center form offers the conditions of the kind, and staff see the ones ticked', async (t) => {
    const app = await startApp('sqlite', MISSKEY_POLICY);
    t.after(() => app.close());
    const form = await (await fetch(`${app.url}/privacy-center/new?kind=suspension`, { headers: { 'accept-language': 'ja' } })).text();
    assert.match(form, /name="ground_no_longer_needed"/);
    assert.match(form, /個人情報保護委員会への報告を要する漏えい等が生じたとき/);
    assert.doesNotMatch(form, /name="ground_unlawful_provision"/, 'third-party provision without consent is a stop-of-provision condition, not this kind\'s');

    const fd = new FormData();
    for (const [k, v] of Object.entries({ kind: 'suspension', lang: 'ja', applicant: 'self', email: 'sato@example.jp', description: '退会から1年が経ちました', ground_no_longer_needed: '1', ground_rights_at_risk: '1' })) fd.set(k, v);
    const res = await fetch(`${app.url}/privacy-center/requests`, { method: 'POST', body: fd, redirect: 'manual' });
    assert.equal(res.status, 303);
    const id = /requests\/(req_[^/?]+)/.exec(res.headers.get('location') ?? '')?.[1] ?? '';
    const view = await app.service.getForStaff('staff:s1', id);
    assert.deepEqual(view.grounds, ['no_longer_needed', 'rights_at_risk']);
  });

  test('a condition that does not belong to the kind is refused, and nothing is stored', async (t) => {
    const app = await startApp('sqlite', MISSKEY_POLICY);
    t.after(() => app.close());
    const wrong = await postJson(`${app.url}/api/v1/requests`, { kind: 'suspension', email: 'kato@example.jp', description: '停止を求めます', grounds: ['unlawful_provision'] });
    assert.equal(wrong.status, 400);
    assert.equal(errorCode(wrong.json), 'MAMORI_VALIDATION_FAILED');
    const onDisclosure = await postJson(`${app.url}/api/v1/requests`, { kind: 'disclosure', email: 'kato@example.jp', grounds: ['no_longer_needed'] });
    assert.equal(onDisclosure.status, 400);
    assert.equal((await app.store.db.selectFrom('requests').select('id').execute()).length, 0);
  });

  test('the decision records the condition it found; one the kind does not have is refused', async (t) => {
    const app = await startApp('sqlite', MISSKEY_POLICY);
    t.after(() => app.close());
    const email = 'ito@example.jp';
    const filed = await app.service.fileRequest({ kind: 'stop_provision', email, description: '同意していない提供を止めてください', lang: 'ja', grounds: ['unlawful_provision'] }, { ip: '192.0.2.40' });
    await app.service.verifyRequest(filed.id, { code: await codeFromMail(app, email) }, { ip: '192.0.2.40' });
    await assert.rejects(app.service.decide('staff:o', filed.id, { outcome: 'full', measure: 'provision_stopped', accepted_ground: 'improper_acquisition' }), { code: 'MAMORI_REQUEST_DECISION_INVALID' });
    await app.service.decide('staff:o', filed.id, { outcome: 'full', measure: 'provision_stopped', accepted_ground: 'unlawful_provision' });
    const view = await app.service.getForStaff('staff:o', filed.id);
    assert.equal(view.decision?.acceptedGround, 'unlawful_provision');
    assert.deepEqual(view.grounds, ['unlawful_provision']);
  });
});
