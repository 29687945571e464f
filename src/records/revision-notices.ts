import { z } from 'zod';
import { mailHtml } from '../mail/templates/mail-html.ts';
import type { Clock } from '../clock.ts';
import { newId } from '../ids.ts';
import { appendAudit, type Actor } from '../audit/audit-log.ts';
import { MamoriError } from '../errors.ts';
import { enqueueMail } from '../mail/outbox.ts';
import type { DbOrTrx } from '../store/store.ts';
import { parseRecordInput } from './record-errors.ts';
import { inTransaction } from './in-transaction.ts';

/** revision: the policy changed; purpose_change: purposes of use changed (21条3項: notify or publish). */
export type RevisionNoticeKind = 'revision' | 'purpose_change';
export type RevisionAudience = 'contact_hook' | 'list';

export const contactSchema = z.strictObject({ email: z.email(), subjectId: z.string().min(1).max(200).optional() });
export type Contact = z.infer<typeof contactSchema>;

export const revisionNoticeInputSchema = z.strictObject({
  policyVersionId: z.string().min(1),
  kind: z.enum(['revision', 'purpose_change']),
  audience: z.enum(['contact_hook', 'list']),
  recipients: z.array(contactSchema).min(1).max(1_000_000),
  /** Shown in the mail: what changed, in the operator's words. */
  summary: z.string().trim().min(1).max(5000),
});

/** The page of contacts the operator's contact hook answers with; `next` is an opaque cursor. */
const hookPageSchema = z.strictObject({ contacts: z.array(contactSchema), next: z.string().min(1).nullable().optional() });

/**
 * Collects known users from the operator's contact hook (`MAMORI_CONTACT_HOOK_URL`, a GET that answers
 * `{ contacts: [{ email, subjectId }], next }`), authenticated with `Authorization: Bearer MAMORI_CONTACT_HOOK_SECRET`.
 */
export async function fetchContactsFromHook(url: string, secret: string | undefined, fetchImpl: typeof fetch = fetch): Promise<Contact[]> {
  const all: Contact[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 10_000; page++) {
    const u = new URL(url);
    if (cursor) u.searchParams.set('cursor', cursor);
    const res = await fetchImpl(u, { headers: { accept: 'application/json', ...(secret ? { authorization: `Bearer ${secret}` } : {}) } });
    if (!res.ok) throw new MamoriError('MAMORI_REVISION_NOTICE_INVALID', `The contact hook answered HTTP ${res.status}.`);
    const body: unknown = await res.json().catch(() => null);
    const parsed = hookPageSchema.safeParse(body);
    if (!parsed.success) throw new MamoriError('MAMORI_REVISION_NOTICE_INVALID', 'The contact hook answered with an unexpected shape: expected { contacts: [{ email, subjectId? }], next? }.');
    all.push(...parsed.data.contacts);
    cursor = parsed.data.next ?? null;
    if (!cursor) break;
  }
  return all;
}

export function revisionNoticeText(input: { kind: RevisionNoticeKind; operatorName: string; versionNumber: number; effectiveOn: string; summary: string; policyUrl: string; reconsent?: boolean }): { subject: string; text: string } {
  const what = input.kind === 'purpose_change' ? '個人情報の利用目的の変更' : 'プライバシーポリシーの改定';
  const whatEn = input.kind === 'purpose_change' ? 'a change to the purposes for which we use personal information' : 'a revision of our privacy policy';
  return {
    subject: `【${input.operatorName}】${what}のお知らせ`,
    text: [
      `${input.operatorName}をご利用いただき、ありがとうございます。`,
      '',
      `${input.effectiveOn}より、${what}（第${input.versionNumber}版）を実施いたしますので、お知らせいたします。`,
      '',
      '■ 主な変更点',
      input.summary,
      '',
      ...(input.reconsent ? ['■ ご同意のお願い', '変更後の利用目的による取扱いについては、改めてご同意をお願いいたします。ご同意をいただくまで、変更後の利用目的でお客様の個人情報を取り扱うことはありません。', ''] : []),
      '■ 改定後の全文',
      input.policyUrl,
      '',
      '変更内容についてご不明な点がございましたら、上記ページに記載のお問い合わせ窓口までご連絡ください。',
      '',
      '---',
      `${input.operatorName}: notice of ${whatEn} (version ${input.versionNumber}), effective ${input.effectiveOn}. The full text is at ${input.policyUrl}.`,
    ].join('\n'),
  };
}

export interface RevisionNotice {
  id: string;
  createdAt: string;
  policyVersionId: string;
  kind: RevisionNoticeKind;
  audience: RevisionAudience;
  subject: string;
  recipientCount: number;
}

/**
 * Sends the notice after a publish: one mail per recipient through the outbox, every delivery recorded, one audit
 * event, in one transaction. Re-consent in consent.js follows from the new policy version itself.
 */
export async function sendRevisionNotices(db: DbOrTrx, clock: Clock, actor: Actor, input: unknown, opts: { operatorName: string; baseUrl: string }): Promise<RevisionNotice> {
  const v = parseRecordInput(revisionNoticeInputSchema, input, 'MAMORI_REVISION_NOTICE_INVALID');
  return inTransaction(db, async (trx) => {
    const version = await trx.selectFrom('policy_versions').select(['id', 'number', 'effective_on', 'purpose_change']).where('id', '=', v.policyVersionId).executeTakeFirst();
    if (!version) throw new MamoriError('MAMORI_POLICY_VERSION_NOT_FOUND');
    // A purpose-change notice rests on the officer's confirmation recorded at publish time (17条2項 or consent).
    if (v.kind === 'purpose_change' && version.purpose_change !== 'related' && version.purpose_change !== 'consent') {
      throw new MamoriError('MAMORI_REVISION_NOTICE_INVALID', `Version ${version.number} did not change any purpose of use: send a revision notice instead.`);
    }
    const reconsent = v.kind === 'purpose_change' && version.purpose_change === 'consent';
    const { subject, text } = revisionNoticeText({ kind: v.kind, operatorName: opts.operatorName, versionNumber: version.number, effectiveOn: version.effective_on, summary: v.summary, policyUrl: `${opts.baseUrl.replace(/\/$/, '')}/privacy`, reconsent });
    const id = newId('rvn');
    const now = clock.now().toISOString();
    const unique = [...new Map(v.recipients.map((r) => [r.email.toLowerCase(), r])).values()];
    await trx.insertInto('record_revision_notices').values({ id, created_at: now, created_by: actor, policy_version_id: version.id, kind: v.kind, audience: v.audience, subject, body: text, recipient_count: unique.length }).execute();
    for (const r of unique) {
      const mailId = await enqueueMail(trx, clock, { to: r.email, subject, text, html: mailHtml(text, { lang: 'ja', service: opts.operatorName }), topic: `policy.${v.kind}_notice`, ref: { type: 'revision_notice', id } });
      await trx.insertInto('record_revision_deliveries').values({ id: newId('rvd'), notice_id: id, subject_id: r.subjectId ?? null, mail_id: mailId, created_at: now }).execute();
    }
    await appendAudit(trx, clock, { actor, action: 'records.revision_notice_sent', targetType: 'policy_version', targetId: version.id, data: { noticeId: id, kind: v.kind, audience: v.audience, recipients: unique.length } });
    return { id, createdAt: now, policyVersionId: version.id, kind: v.kind, audience: v.audience, subject, recipientCount: unique.length };
  });
}

export async function listRevisionNotices(db: DbOrTrx): Promise<RevisionNotice[]> {
  const rows = await db.selectFrom('record_revision_notices').selectAll().orderBy('created_at', 'desc').limit(500).execute();
  return rows.map((r) => ({ id: r.id, createdAt: r.created_at, policyVersionId: r.policy_version_id, kind: r.kind === 'purpose_change' ? 'purpose_change' : 'revision', audience: r.audience === 'contact_hook' ? 'contact_hook' : 'list', subject: r.subject, recipientCount: r.recipient_count }));
}
