import { z } from 'zod';

/** Response shapes of the records API, shared by the SDK (which parses every answer) and the docs. */
const party = z.object({ name: z.string(), address: z.string().nullable(), representative: z.string().nullable() });

export const provisionRecordResponse = z.object({
  id: z.string(),
  createdAt: z.string(),
  form: z.enum(['single', 'batch', 'contract_substitute']),
  basis: z.enum(['consent', 'opt_out', 'statutory_exception', 'entrustment', 'succession', 'joint_use', 'anonymized']),
  providedOn: z.string(),
  lastProvidedOn: z.string(),
  recipient: party.extend({ unspecified: z.boolean(), publicBody: z.boolean(), country: z.string().nullable() }),
  subjectDescription: z.string().nullable(),
  subjectCount: z.number(),
  dataItems: z.array(z.string()),
  consentProof: z.string().nullable(),
  contractRef: z.string().nullable(),
  optOutFilingId: z.string().nullable(),
  anonymizedNoticeGiven: z.boolean(),
  required: z.boolean(),
  retainUntil: z.string(),
  source: z.string(),
  note: z.string().nullable(),
});
export type ProvisionRecordResponse = z.infer<typeof provisionRecordResponse>;

export const receiptRecordResponse = z.object({
  id: z.string(),
  createdAt: z.string(),
  form: z.enum(['single', 'batch', 'contract_substitute']),
  basis: z.string(),
  receivedOn: z.string(),
  lastReceivedOn: z.string(),
  provider: party,
  providerAcquisition: z.string(),
  consentConfirmed: z.boolean(),
  optOutFilingConfirmed: z.boolean(),
  subjectDescription: z.string().nullable(),
  subjectCount: z.number(),
  dataItems: z.array(z.string()),
  required: z.boolean(),
  retainUntil: z.string(),
  note: z.string().nullable(),
});
export type ReceiptRecordResponse = z.infer<typeof receiptRecordResponse>;

export const relatedConfirmationResponse = z.object({
  id: z.string(),
  confirmedOn: z.string(),
  recipient: party.extend({ country: z.string().nullable() }),
  consentMethod: z.string(),
  subjectCount: z.number(),
  dataItems: z.array(z.string()),
  retainUntil: z.string(),
}).loose();
export type RelatedConfirmationResponse = z.infer<typeof relatedConfirmationResponse>;
