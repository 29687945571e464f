import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../audit/audit-log.ts';
import { MamoriError } from '../errors.ts';
import { agentProofs, paymentMethods, requestKinds, type AgentProof } from '../policy/schema.ts';
import type { RequesterStep } from '../requests/payment-view.ts';
import '../requests/request-errors.ts';
import { isAgentProof, requestServiceFor, type StaffDocumentPurpose } from '../requests/request-service.ts';
import { requestStates } from '../requests/request-state.ts';
import type { UploadedFile } from '../requests/request-uploads.ts';
import { errorBody } from './openapi.ts';
import { collectFile, type ByteBudget } from './multipart-form.ts';


/** What the request API's route modules share: parameter and answer schemas, body parsing, the actor, file answers. */
export const idParams = z.object({ id: z.string().min(1).max(80) });
export const fileParams = z.object({ id: z.string().min(1).max(80), fileId: z.string().min(1).max(80) });
export const deadlineSchema = z.object({ status: z.enum(['not_started', 'paused', 'running', 'overdue']), dueAt: z.string().nullable(), remainingDays: z.number().nullable() });
export const localized = z.object({ ja: z.string(), en: z.string() });
export const summarySchema = z.object({ id: z.string(), kind: z.enum(requestKinds), state: z.enum(requestStates), channel: z.string(), lang: z.enum(['ja', 'en']), agent: z.boolean(), createdAt: z.string(), deadline: deadlineSchema, fee: z.object({ amount: z.number(), paid: z.boolean() }).nullable() });
/** Every step a requester's timeline can show; the check below fails to compile when a step is added without it. */
const requesterSteps = ['filed', 'email_verified', 'identity_confirmed', 'payment_requested', 'fee_paid', 'documents_requested', 'documents_received', 'work_started', 'decided', 'delivered', 'downloaded', 'closed', 'withdrawn', 'lapsed', 'rejected_unverified'] as const satisfies readonly RequesterStep[];
const allStepsListed: [Exclude<RequesterStep, (typeof requesterSteps)[number]>] extends [never] ? true : never = true;
void allStepsListed;
export const requesterTimelineSchema = z.array(z.object({ at: z.string().describe('ISO 8601 instant (UTC)'), step: z.enum(requesterSteps) })).describe('The steps of the request so far, oldest first');
export const paymentInstructionsSchema = z.object({
  amount: z.number().int().describe('The fee in yen'),
  wording: localized.describe('The amount with its tax wording, e.g. 5,500円（税込）'),
  methods: z.array(z.enum(paymentMethods)),
  reference: z.string().regex(/^\d{8}$/).nullable().describe('The 8-digit payment reference the person types before their name as 振込依頼人名 (or on the payment page); null until payment is asked for'),
  dueAt: z.string().nullable().describe('The last moment to pay (end of a Japan-time day, as an ISO instant); unpaid after it, the request lapses with a notice'),
  bankAccount: z.object({ bank: localized, branch: localized, type: z.enum(['ordinary', 'checking']), number: z.string(), holderKana: z.string().describe('The account holder in katakana') }).nullable(),
  paymentUrl: z.string().nullable().describe('The provider\'s payment page for card or convenience-store payment'),
  paid: z.boolean(),
}).describe('How to pay the fee (38条)');
export const staffViewSchema = summarySchema.extend({
  email: z.string().nullable(),
  accountId: z.string().nullable(),
  description: z.string(),
  feePayment: z.object({ method: z.string().nullable(), reference: z.string().nullable().describe('What staff recorded when marking the fee paid'), paidAt: z.string().nullable() }),
  payment: paymentInstructionsSchema.nullable(),
  timeline: z.array(z.object({ n: z.number(), at: z.string(), actor: z.string(), action: z.string(), data: z.record(z.string(), z.unknown()) })),
  audit: z.array(z.object({ seq: z.number(), at: z.string(), actor: z.string(), action: z.string(), data: z.record(z.string(), z.unknown()) })),
}).loose();
export function errors(...codes: Array<[string, string]>): Record<string, { description: string; schema: z.ZodType }> {
  return Object.fromEntries(codes.map(([status, description]) => [status, { description, schema: errorBody }]));
}

const tokenHeader = z.string().min(10).max(200);

/** Reads the token header, or fails as a wrong token would. */
export function requesterToken(request: FastifyRequest): string {
  const parsed = tokenHeader.safeParse(request.headers['x-request-token']);
  if (!parsed.success) throw new MamoriError('MAMORI_REQUEST_TOKEN_INVALID', 'Send the request\'s secret token in the x-request-token header.');
  return parsed.data;
}

export function parse<T>(schema: z.ZodType<T>, value: unknown, code = 'MAMORI_VALIDATION_FAILED'): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new MamoriError(code, r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '), { issues: r.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) });
}

export interface ReadMultipart {
  fields: Record<string, string>;
  files: Array<UploadedFile & { field: string }>;
}

/** Reads a multipart body into fields and whole files (≤ 10 MB each; bigger is a clear 413). */
export async function readMultipart(request: FastifyRequest, budget?: ByteBudget): Promise<ReadMultipart> {
  const fields: Record<string, string> = {};
  const files: ReadMultipart['files'] = [];
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const bytes = await collectFile(part.file, budget);
        if (part.file.truncated) throw new MamoriError('MAMORI_REQUEST_UPLOAD_TOO_LARGE');
        if (part.filename || bytes.length > 0) files.push({ field: part.fieldname, filename: part.filename || 'file', bytes });
      } else if (typeof part.value === 'string') {
        if (part.value.includes('\u0000')) throw new MamoriError('MAMORI_BAD_REQUEST', 'A field contains a NUL character, which is not accepted.');
        fields[part.fieldname] = part.value;
      }
    }
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'FST_REQ_FILE_TOO_LARGE') throw new MamoriError('MAMORI_REQUEST_UPLOAD_TOO_LARGE');
    if (err instanceof Error && 'code' in err && (err.code === 'FST_FILES_LIMIT' || err.code === 'FST_FIELDS_LIMIT' || err.code === 'FST_PARTS_LIMIT')) {
      throw new MamoriError('MAMORI_BAD_REQUEST', 'Too many files or fields in one request (at most 10 files).');
    }
    throw err;
  }
  return { fields, files };
}

const staffPurposes: readonly StaffDocumentPurpose[] = ['request_form', 'identity_document', 'agent_proof', 'other'];

/** A staff upload's field name says what it is: an agent proof kind (`power_of_attorney` …) or a purpose. */
export function staffDocuments(files: ReadMultipart['files']): Array<UploadedFile & { purpose: StaffDocumentPurpose; proofKind?: AgentProof }> {
  return files.map((f) => {
    if (isAgentProof(f.field)) return { filename: f.filename, bytes: f.bytes, purpose: 'agent_proof' as const, proofKind: f.field };
    const purpose = staffPurposes.find((p) => p === f.field);
    if (!purpose) throw new MamoriError('MAMORI_VALIDATION_FAILED', `Unknown file field "${f.field}". Use request_form, identity_document, other, or an agent proof kind (${agentProofs.join(', ')}).`);
    return { filename: f.filename, bytes: f.bytes, purpose };
  });
}

export function actorOf(request: FastifyRequest): Actor {
  const staff = request.staff;
  if (!staff) throw new MamoriError('MAMORI_AUTH_REQUIRED');
  return staff.via === 'api_key' ? `apikey:${staff.id}` : `staff:${staff.id}`;
}

export function sendFile(reply: FastifyReply, file: { filename: string; contentType: string; bytes: Buffer }, disposition: 'attachment' | 'inline') {
  return reply
    .header('content-type', file.contentType)
    .header('content-disposition', `${disposition}; filename="${file.filename.replace(/[^A-Za-z0-9._-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .send(file.bytes);
}


export type ServiceOf = () => ReturnType<typeof requestServiceFor>;
