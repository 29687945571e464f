import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock, DAY_MS } from '../../src/clock.ts';
import { MamoriError } from '../../src/errors.ts';
import { createIncident, findPublishedNotice, getIncidentView, markReportSubmitted, notifyAffectedPeople, publishAlternativeNotice, updateIncident } from '../../src/records/incidents.ts';
import { createTestStore, storeDialects } from '../support/stores.ts';

const codeOf = (err: unknown) => (err instanceof MamoriError ? err.code : String(err));

for (const dialect of storeDialects) {
  describe(`breach incidents (${dialect})`, () => {
    test('an incident shows its triggers, deadlines and their state as the clock moves; reports are tracked', async () => {
      const store = await createTestStore(dialect);
      const clock = createManualClock('2026-04-01T01:00:00Z');
      try {
        const inc = await createIncident(store.db, clock, 'staff:o1', {
          title: '会員登録フォームの改ざん', discoveredAt: '2026-04-01T10:00:00+09:00', description: '登録フォームに不正なスクリプトが埋め込まれ、入力内容が外部に送信された可能性があります。',
          dataItems: ['氏名', 'メールアドレス', 'クレジットカード番号'], affectedCount: 320, financialHarmData: true, skimming: true,
        });
        let view = await getIncidentView(store.db, inc.id, clock.now());
        assert.equal(view.reportability.reportable, true);
        assert.deepEqual(view.reportability.triggers.map((t) => t.trigger), ['financial_harm', 'unauthorized_purpose']);
        assert.equal(view.deadlines?.preliminary.dueDate, '2026-04-04');
        assert.equal(view.deadlines?.final.dueDate, '2026-05-31');
        assert.equal(view.deadlines?.preliminary.state, 'on_track');
        assert.deepEqual(view.missing.final, ['cause', 'secondary_harm', 'response_to_people', 'publication', 'prevention']);

        clock.advance(4 * DAY_MS);
        view = await getIncidentView(store.db, inc.id, clock.now());
        assert.equal(view.deadlines?.preliminary.state, 'late');
        await markReportSubmitted(store.db, clock, 'staff:o1', inc.id, 'preliminary');
        await assert.rejects(markReportSubmitted(store.db, clock, 'staff:o1', inc.id, 'final'), (err) => codeOf(err) === 'MAMORI_INCIDENT_REPORT_INCOMPLETE');
        await updateIncident(store.db, clock, 'staff:o1', inc.id, {}, { cause: '外部委託先のCMSの脆弱性', secondary_harm: '不正利用の報告はありません', response_to_people: '対象者へ個別に通知', publication: 'ウェブサイトで公表', prevention: 'CSPの導入' });
        await markReportSubmitted(store.db, clock, 'staff:o1', inc.id, 'final');
        view = await getIncidentView(store.db, inc.id, clock.now());
        assert.equal(view.deadlines?.preliminary.state, 'submitted');
        assert.equal(view.deadlines?.final.state, 'submitted');
        const actions = (await store.db.selectFrom('audit_events').select('action').orderBy('seq').execute()).map((e) => e.action);
        assert.deepEqual(actions, ['records.incident_recorded', 'records.incident_report_submitted', 'records.incident_updated', 'records.incident_report_submitted']);
      } finally {
        await store.drop();
      }
    });

    test('an incident with an unknown count is provisionally reportable until staff rule the threshold out with a reason (規則7条)', async () => {
      const store = await createTestStore(dialect);
      const clock = createManualClock('2026-04-01T01:00:00Z');
      try {
        const inc = await createIncident(store.db, clock, 'staff:o1', { title: '設定ミスによる公開', discoveredAt: '2026-04-01T10:00:00+09:00', description: '会員一覧が一時的に外部から閲覧できる状態でした。' });
        let view = await getIncidentView(store.db, inc.id, clock.now());
        assert.equal(view.reportability.reportable, true);
        assert.equal(view.reportability.provisional, true);
        assert.equal(view.deadlines?.preliminary.dueDate, '2026-04-04');
        assert.deepEqual(view.personNotice, { status: 'due', dueBy: '2026-04-04' });
        await updateIncident(store.db, clock, 'staff:o1', inc.id, { thresholdRuledOutReason: '会員一覧の総件数が420件であることを確認' });
        view = await getIncidentView(store.db, inc.id, clock.now());
        assert.equal(view.reportability.reportable, false);
        assert.equal(view.reportability.thresholdRuledOutReason, '会員一覧の総件数が420件であることを確認');
        assert.equal(view.deadlines, null);
        assert.deepEqual(view.personNotice, { status: 'not_required' });
      } finally {
        await store.drop();
      }
    });

    test('shows whether notices to the persons are due, sent, or replaced by a public notice with its reason (26条2項)', async () => {
      const store = await createTestStore(dialect);
      const clock = createManualClock('2026-04-01T01:00:00Z');
      try {
        const sent = await createIncident(store.db, clock, 'staff:o1', { title: '誤送信', discoveredAt: '2026-04-01T10:00:00+09:00', description: '誤送信', affectedCount: 1, sensitiveData: true });
        await notifyAffectedPeople(store.db, clock, 'staff:o1', sent.id, [{ email: 'a@example.jp' }], { operatorName: '見本株式会社', contactLine: 'privacy@example.jp' });
        assert.deepEqual((await getIncidentView(store.db, sent.id, clock.now())).personNotice, { status: 'sent', sent: 1 });
        const unreachable = await createIncident(store.db, clock, 'staff:o1', { title: '旧システムからの流出', discoveredAt: '2026-04-01T10:00:00+09:00', description: '旧会員データ', affectedCount: 5000, publicNoticeReason: '旧会員の連絡先が残っておらず、個別の通知ができないため' });
        await publishAlternativeNotice(store.db, clock, 'staff:o1', unreachable.id, '2026-04-old-members');
        const view = await getIncidentView(store.db, unreachable.id, clock.now());
        assert.equal(view.personNotice.status, 'public_notice');
        assert.equal(view.personNotice.status === 'public_notice' ? view.personNotice.reason : null, '旧会員の連絡先が残っておらず、個別の通知ができないため');
      } finally {
        await store.drop();
      }
    });

    test('notifies affected people through the outbox and publishes an alternative notice page', async () => {
      const store = await createTestStore(dialect);
      const clock = createManualClock('2026-04-01T01:00:00Z');
      try {
        const inc = await createIncident(store.db, clock, 'staff:o1', { title: '誤送信', discoveredAt: '2026-04-01T10:00:00+09:00', description: 'メールを誤った宛先に送信しました。', dataItems: ['氏名'], affectedCount: 2, sensitiveData: true });
        await notifyAffectedPeople(store.db, clock, 'staff:o1', inc.id, [{ email: 'a@example.jp', subjectId: 'u1' }, { email: 'b@example.jp' }], { operatorName: '見本株式会社', contactLine: 'privacy@example.jp' });
        const mails = await store.db.selectFrom('mail_outbox').select(['to_address', 'topic', 'text_body']).orderBy('to_address').execute();
        assert.deepEqual(mails.map((m) => [m.to_address, m.topic]), [['a@example.jp', 'incident.notice'], ['b@example.jp', 'incident.notice']]);
        assert.match(mails[0]?.text_body ?? '', /メールを誤った宛先に送信しました。/);
        assert.equal((await getIncidentView(store.db, inc.id, clock.now())).noticesSent, 2);
        await assert.rejects(publishAlternativeNotice(store.db, clock, 'staff:o1', inc.id, 'Bad Slug!'), (err) => codeOf(err) === 'MAMORI_INCIDENT_INVALID');
        await publishAlternativeNotice(store.db, clock, 'staff:o1', inc.id, '2026-04-misdelivery');
        assert.equal((await findPublishedNotice(store.db, '2026-04-misdelivery'))?.id, inc.id);
        const other = await createIncident(store.db, clock, 'staff:o1', { title: 'x', discoveredAt: '2026-04-01T10:00:00+09:00', description: 'y' });
        await assert.rejects(publishAlternativeNotice(store.db, clock, 'staff:o1', other.id, '2026-04-misdelivery'), (err) => codeOf(err) === 'MAMORI_INCIDENT_NOTICE_SLUG_TAKEN');
        const audit = await store.db.selectFrom('audit_events').select('data').where('action', '=', 'records.incident_people_notified').executeTakeFirstOrThrow();
        assert.doesNotMatch(audit.data, /@/, 'no email addresses in the audit log');
      } finally {
        await store.drop();
      }
    });

    test('refuses a malformed incident with MAMORI_INCIDENT_INVALID', async () => {
      const store = await createTestStore(dialect);
      const clock = createManualClock('2026-04-01T01:00:00Z');
      try {
        await assert.rejects(createIncident(store.db, clock, 'cli', { title: '', discoveredAt: 'yesterday', description: 'x', affectedCount: -1 }), (err) => {
          assert.equal(codeOf(err), 'MAMORI_INCIDENT_INVALID');
          assert.match((err as Error).message, /discoveredAt/);
          return true;
        });
        await assert.rejects(getIncidentView(store.db, 'inc_missing', clock.now()), (err) => codeOf(err) === 'MAMORI_INCIDENT_NOT_FOUND');
      } finally {
        await store.drop();
      }
    });
  });
}
