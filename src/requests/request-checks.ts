import type { Actor } from '../audit/audit-log.ts';
import { verifyAssertion, type AssertionPayload } from '../auth/signed-assertion.ts';
import { MamoriError } from '../errors.ts';
import { dueDate } from '../law/appi/deadlines.ts';
import { requestKindRules } from '../law/appi/request-kinds.ts';
import { codeMail, receivedMail } from '../mail/templates/request-mails.ts';
import type { AgentKind, AgentProof, RequestKind, RequestProcedure } from '../policy/schema.ts';
import type { DbOrTrx } from '../store/store.ts';
import { insertRow } from '../store/prepared-statement.ts';
import './request-errors.ts';
import { CODE_TTL_MS, hashEmailCode, newEmailCode } from './request-secrets.ts';
import { emailSchema, type DeliveryChoice } from './request-inputs.ts';
import { deadlineFacts, procedureFor, rowKind, type Row } from './request-rows.ts';
import type { RequestContext } from './request-context.ts';

/** Checks shared by filing online and entering by staff, and the email confirmation step. */
export function createRequestChecks(ctx: RequestContext) {
  const { clock, config, policy, record, mail, mailBase, settle } = ctx;

  function checkEmail(email: string): string {
    const trimmed = email.trim();
    if (!emailSchema.safeParse(trimmed).success) throw new MamoriError('MAMORI_REQUEST_INVALID_EMAIL');
    return trimmed;
  }

  function checkDelivery(kind: RequestKind, proc: RequestProcedure, delivery: DeliveryChoice | undefined): DeliveryChoice | null {
    if (!requestKindRules[kind].deliveryChoice) {
      if (delivery) throw new MamoriError('MAMORI_REQUEST_DELIVERY_INVALID', `A delivery method is chosen only for disclosure requests, not for "${kind}".`);
      return null;
    }
    const offered = (proc.delivery ?? ['electronic', 'paper']).filter((d): d is DeliveryChoice => d === 'electronic' || d === 'paper');
    const chosen = delivery ?? offered[0] ?? 'electronic';
    if (!offered.includes(chosen)) throw new MamoriError('MAMORI_REQUEST_DELIVERY_INVALID', `Delivery "${chosen}" is not offered; choose one of: ${offered.join(', ')}.`);
    return chosen;
  }

  function checkAgent(kind: RequestKind, proc: RequestProcedure, agent: { kind: AgentKind } | undefined, proofs: ReadonlyArray<{ proofKind?: AgentProof | undefined }> | null): void {
    if (!agent) return;
    if (!proc.agents.allowed || !proc.agents.kinds.includes(agent.kind)) {
      throw new MamoriError('MAMORI_REQUEST_AGENT_NOT_ALLOWED', `This service does not accept requests of kind "${kind}" from a ${agent.kind.replace('_', ' ')}.`);
    }
    if (proofs === null) return;
    if (proofs.length === 0) {
      throw new MamoriError('MAMORI_REQUEST_AGENT_PROOF_MISSING', `An agent must attach proof of authority. Accepted documents: ${proc.agents.proofs.join(', ') || 'power_of_attorney'}.`);
    }
    for (const p of proofs) {
      if (p.proofKind && proc.agents.proofs.length > 0 && !proc.agents.proofs.includes(p.proofKind)) {
        throw new MamoriError('MAMORI_REQUEST_AGENT_PROOF_MISSING', `"${p.proofKind}" is not among the accepted proofs (${proc.agents.proofs.join(', ')}).`);
      }
    }
    if (agent.kind === 'mandated' && proc.agents.proofs.includes('power_of_attorney') && !proofs.some((p) => p.proofKind === 'power_of_attorney')) {
      throw new MamoriError('MAMORI_REQUEST_AGENT_PROOF_MISSING', 'A mandated agent must attach the power of attorney (委任状).');
    }
  }

  function checkAssertion(token: string): AssertionPayload {
    const result = verifyAssertion(token, config.assertionSecret, clock);
    if (result.ok) return result.payload;
    switch (result.reason) {
      case 'expired':
        throw new MamoriError('MAMORI_REQUEST_ASSERTION_EXPIRED');
      case 'malformed':
      case 'bad_signature':
      case 'unsupported_algorithm':
      case 'not_configured':
        throw new MamoriError('MAMORI_REQUEST_ASSERTION_INVALID', undefined, { reason: result.reason });
      default: {
        const never: never = result.reason;
        return never;
      }
    }
  }

  /** Identity is confirmed by the email alone when the method used is one the procedure accepts and no agent acts. */
  function emailConfirmsIdentity(proc: RequestProcedure, via: 'email_code' | 'app_assertion', agent: boolean): boolean {
    return !agent && proc.identity.includes(via);
  }

  async function issueCode(trx: DbOrTrx, row: Row, fresh: boolean): Promise<void> {
    const code = newEmailCode();
    const now = clock.now();
    if (!fresh) await trx.deleteFrom('request_codes').where('request_id', '=', row.id).execute();
    await insertRow(trx, 'request_codes', { request_id: row.id, code_hash: hashEmailCode(config.secret, row.id, code), created_at: now.toISOString(), expires_at: new Date(now.getTime() + CODE_TTL_MS).toISOString(), attempts: 0, used_at: null });
    await mail(trx, row, 'code', codeMail(mailBase(row), code, CODE_TTL_MS / 60_000));
  }

  /** Email confirmed (by code or assertion): identity too, when the procedure allows; then payment or work. */
  async function afterEmailVerified(trx: DbOrTrx, row: Row, via: 'email_code' | 'app_assertion', assertion: AssertionPayload | null): Promise<{ row: Row; workStarted: boolean }> {
    const now = clock.now();
    const kind = rowKind(row);
    const proc = procedureFor(policy, kind);
    const confirmed = proc !== null && emailConfirmsIdentity(proc, via, row.agent_kind !== null);
    const actor: Actor = `requester:${row.id}`;
    await record(trx, row.id, actor, 'email_verified', { via });
    const extra: Partial<Row> = { verified_via: via, verified_at: now.toISOString(), ...(assertion ? { subject_id: assertion.sub } : {}), ...(confirmed ? { identity_confirmed_at: now.toISOString() } : {}) };
    const after = await settle(trx, row, actor, now, extra);
    const due = dueDate(deadlineFacts(after), now);
    await mail(trx, after, 'received', receivedMail(mailBase(after), { dueDate: due ? due.toISOString() : null, needsDocumentCheck: !confirmed }));
    return { row: after, workStarted: after.state === 'in_progress' };
  }

  return { checkEmail, checkDelivery, checkAgent, checkAssertion, emailConfirmsIdentity, issueCode, afterEmailVerified };
}
