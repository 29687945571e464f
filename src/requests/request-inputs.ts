import { z } from 'zod';
import { MamoriError } from '../errors.ts';
import { refusalGroundKeys, type RefusalGround } from '../law/appi/refusal-grounds.ts';
import { agentKinds, agentProofs, paymentMethods, requestKinds, type AgentKind, type AgentProof, type RequestKind } from '../policy/schema.ts';
import { suspensionGrounds, type SuspensionGround } from '../law/appi/suspension-grounds.ts';
import './request-errors.ts';
import type { UploadedFile } from './request-uploads.ts';

/* ------------------------------------------------------------------------------------------------------------------
 * Inputs (parsed with zod at the edge; the service parses again so it can be called from anywhere)
 * ---------------------------------------------------------------------------------------------------------------- */

export type Lang = 'ja' | 'en';
export type DeliveryChoice = 'electronic' | 'paper';

/** An agent (代理人) applying for the person (37条). */
export interface AgentApplication {
  kind: AgentKind;
  /** The agent's relationship to the person, in their words (e.g. 母, 弁護士). */
  relationship: string;
  name: string;
  proofs: Array<UploadedFile & { proofKind: AgentProof }>;
}

/** A request filed by the person (or their agent) in the privacy center or through the API. */
export interface FileRequestInput {
  kind: RequestKind;
  email: string;
  accountId?: string | undefined;
  description: string;
  delivery?: DeliveryChoice | undefined;
  lang: Lang;
  agent?: AgentApplication | undefined;
  /** A signed assertion from the operator's app: verifies the email without a code. */
  assertion?: string | undefined;
  /** Suspension / stop of provision: the 35条 conditions the person says apply (1項, 3項, 5項). */
  grounds?: SuspensionGround[] | undefined;
}

export const emailSchema = z.email().max(254);

/** A 35条 condition (see law/appi/suspension-grounds.ts). */
export const suspensionGroundKey = z.enum(Object.keys(suspensionGrounds) as [SuspensionGround, ...SuspensionGround[]]);

/** The JSON fields of `POST /api/v1/requests` (agent proofs come as multipart files). */
export const fileRequestBody = z.strictObject({
  kind: z.string().min(1).max(40),
  email: z.string().max(254),
  account_id: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(5000).default(''),
  delivery: z.enum(['electronic', 'paper']).optional(),
  lang: z.enum(['ja', 'en']).default('ja'),
  agent: z
    .strictObject({
      kind: z.enum(agentKinds),
      relationship: z.string().trim().min(1).max(200),
      name: z.string().trim().min(1).max(200),
    })
    .optional(),
  assertion: z.string().min(1).max(4096).optional(),
  grounds: z.array(suspensionGroundKey).max(7).optional(),
});
export type FileRequestBody = z.infer<typeof fileRequestBody>;

/** Turns the checked JSON fields and uploaded proofs into a service input, with stable codes for the usual mistakes. */
export function toFileRequestInput(body: FileRequestBody, proofs: Array<UploadedFile & { proofKind: AgentProof }>): FileRequestInput {
  if (!isRequestKind(body.kind)) throw new MamoriError('MAMORI_REQUEST_UNKNOWN_KIND', undefined, { kind: body.kind });
  return {
    kind: body.kind,
    email: body.email,
    accountId: body.account_id,
    description: body.description,
    delivery: body.delivery,
    lang: body.lang,
    assertion: body.assertion,
    grounds: body.grounds,
    agent: body.agent ? { ...body.agent, proofs } : undefined,
  };
}

export function isRequestKind(value: string): value is RequestKind {
  return (requestKinds as readonly string[]).includes(value);
}

export function isAgentProof(value: string): value is AgentProof {
  return (agentProofs as readonly string[]).includes(value);
}

/** A request entered by staff from a letter, a call or an inquiry form, with the scanned documents. */
export interface EnterRequestInput {
  kind: RequestKind;
  /** A contact id of the policy listed in the kind's channels (e.g. `postal_office`). */
  channel: string;
  email?: string | undefined;
  accountId?: string | undefined;
  description: string;
  delivery?: DeliveryChoice | undefined;
  lang: Lang;
  agent?: Omit<AgentApplication, 'proofs'> | undefined;
  documents: Array<UploadedFile & { purpose: StaffDocumentPurpose; proofKind?: AgentProof | undefined }>;
}

export type StaffDocumentPurpose = 'request_form' | 'identity_document' | 'agent_proof' | 'other';
export type FilePurpose = StaffDocumentPurpose | 'gathered';

export const enterRequestBody = z.strictObject({
  kind: z.string().min(1).max(40),
  channel: z.string().min(1).max(80),
  email: z.string().max(254).optional(),
  account_id: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(5000).default(''),
  delivery: z.enum(['electronic', 'paper']).optional(),
  lang: z.enum(['ja', 'en']).default('ja'),
  agent: z.strictObject({ kind: z.enum(agentKinds), relationship: z.string().trim().min(1).max(200), name: z.string().trim().min(1).max(200) }).optional(),
});

/** Measures for suspension / stop-provision decisions (35条). */
export type SuspensionMeasure = 'use_stopped' | 'erased' | 'provision_stopped';
export const suspensionMeasures: Record<SuspensionMeasure, { kinds: readonly RequestKind[]; label: { ja: string; en: string } }> = {
  use_stopped: { kinds: ['suspension'], label: { ja: '利用の停止', en: 'Use stopped' } },
  erased: { kinds: ['suspension'], label: { ja: '消去', en: 'Erased' } },
  provision_stopped: { kinds: ['stop_provision'], label: { ja: '第三者への提供の停止', en: 'Provision to third parties stopped' } },
};
export const suspensionMeasureKeys = Object.keys(suspensionMeasures) as [SuspensionMeasure, ...SuspensionMeasure[]];

const correction = z.strictObject({ field: z.string().trim().min(1).max(200), before: z.unknown(), after: z.unknown() });
const methodChange = z.strictObject({ to: z.enum(['paper', 'electronic']), reason: z.string().trim().min(1).max(2000) });
const ground = z.enum(refusalGroundKeys);

/** A decision (36条: a written reason whenever we refuse or act differently). */
export const decisionBody = z.discriminatedUnion('outcome', [
  z.strictObject({
    outcome: z.literal('full'),
    reason: z.string().trim().max(5000).optional(),
    corrections: z.array(correction).max(200).optional(),
    measure: z.enum(suspensionMeasureKeys).optional(),
    measure_note: z.string().trim().max(2000).optional(),
    /** Suspension / stop of provision: the 35条 condition the decision found to apply. */
    accepted_ground: suspensionGroundKey.optional(),
    method_change: methodChange.optional(),
  }),
  z.strictObject({
    outcome: z.literal('partial'),
    ground,
    reason: z.string().trim().max(5000),
    corrections: z.array(correction).max(200).optional(),
    measure: z.enum(suspensionMeasureKeys).optional(),
    measure_note: z.string().trim().max(2000).optional(),
    /** Suspension / stop of provision: the 35条 condition the decision found to apply. */
    accepted_ground: suspensionGroundKey.optional(),
    method_change: methodChange.optional(),
  }),
  z.strictObject({ outcome: z.literal('refused'), ground, reason: z.string().trim().max(5000) }),
  z.strictObject({ outcome: z.literal('alternative'), ground, reason: z.string().trim().max(5000), alternative_measure: z.string().trim().max(2000) }),
]);
export type DecisionInput = z.infer<typeof decisionBody>;

/** What is stored of a decision. */
export interface StoredDecision {
  outcome: 'full' | 'partial' | 'refused' | 'alternative';
  ground: RefusalGround | null;
  reason: string | null;
  corrections: Array<{ field: string; before: unknown; after: unknown }>;
  measure: SuspensionMeasure | null;
  measureNote: string | null;
  /** The 35条 condition found to apply (suspension, stop of provision). */
  acceptedGround?: SuspensionGround | null;
  alternativeMeasure: string | null;
  methodChange: { to: DeliveryChoice; reason: string } | null;
  decidedBy: string;
}

export const storedDecision = z.object({
  outcome: z.enum(['full', 'partial', 'refused', 'alternative']),
  ground: ground.nullable(),
  reason: z.string().nullable(),
  corrections: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })),
  measure: z.enum(suspensionMeasureKeys).nullable(),
  measureNote: z.string().nullable(),
  acceptedGround: suspensionGroundKey.nullable().optional(),
  alternativeMeasure: z.string().nullable(),
  methodChange: z.object({ to: z.enum(['paper', 'electronic']), reason: z.string() }).nullable(),
  decidedBy: z.string(),
});

export const markPaidBody = z.strictObject({
  method: z.enum(paymentMethods),
  reference: z.string().trim().min(1).max(200),
  amount: z.number().int().positive().optional(),
});

export const gatherEntryBody = z.strictObject({
  source: z.string().regex(/^[a-z][a-z0-9_:.-]{0,60}$/).default('manual'),
  title: z.strictObject({ ja: z.string().min(1).max(200), en: z.string().min(1).max(200) }),
  groups: z.array(z.strictObject({ name: z.string().min(1).max(200), rows: z.array(z.record(z.string(), z.unknown())).max(10000) })).min(1).max(100),
});

export const listFilters = z.strictObject({
  kind: z.enum(requestKinds).optional(),
  state: z.enum(['awaiting_verification', 'verified', 'awaiting_payment', 'awaiting_documents', 'in_progress', 'decided', 'delivered', 'notified', 'closed', 'withdrawn', 'rejected_unverified', 'lapsed']).optional(),
  channel: z.string().max(80).optional(),
  /** Due on or before this date (YYYY-MM-DD, end of that day UTC). */
  due_before: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  overdue: z.enum(['true', 'false']).optional(),
  /**
   * Which part of the queue: `open` (being handled: email confirmed, not finished), `unconfirmed` (email not yet
   * confirmed), `closed` (finished), `all`. Unset: all (the console defaults to `open`).
   */
  scope: z.enum(['open', 'unconfirmed', 'closed', 'all']).optional(),
  /** Search: the request number (or part of it), the email, the account id, the agent's name or the 8-digit payment reference. */
  q: z.string().trim().min(1).max(200).optional(),
  /** The staff id the request is assigned to, or `none` for unassigned requests. */
  assignee: z.string().min(1).max(80).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ListFilters = z.infer<typeof listFilters>;

/** An internal note staff add to a request (kept on its timeline, never shown to the requester). */
export const staffNoteBody = z.strictObject({ text: z.string().trim().min(1).max(2000) });
/** Assigns a request to a staff member (a staff id), or unassigns it (null). */
export const assignBody = z.strictObject({ assignee: z.string().min(1).max(80).nullable() });

/** An identifier kind as the dataset graph names it (`email`, `account_id`, `phone`…). */
export const identifierKind = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'an identifier kind such as email or account_id');

/** Staff confirm a claimed identifier from documents (37条): the reason is required and kept on the timeline. */
export const confirmClaimBody = z.strictObject({
  kind: identifierKind,
  /** The value checked in the documents; defaults to the value the request claims for this kind. */
  value: z.string().trim().min(1).max(254).optional(),
  reason: z.string().trim().min(1, 'say what you checked (e.g. which document matched the account)').max(1000),
});
export type ConfirmClaimInput = z.infer<typeof confirmClaimBody>;
