import { z } from 'zod';
import { isIso3166Alpha2 } from '../policy/iso-3166.ts';
import { provisionBases, recordForms, type ProvisionBasis, type RecordForm } from '../law/appi/record-retention.ts';

// The inputs of provision, receipt and 31条 records as the API, the SDK, the console and the CLI send them.
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD').refine((s) => !Number.isNaN(new Date(`${s}T00:00:00Z`).getTime()), 'not a real date');
const shortText = z.string().trim().min(1).max(500);
const subjectIds = z.array(z.string().trim().min(1).max(200)).max(10_000);
const dataItems = z.array(z.string().trim().min(1).max(200)).min(1, 'name at least one data item').max(200);
const country = z.string().regex(/^[A-Z]{2}$/, 'use an ISO 3166-1 alpha-2 code such as "US"').refine(isIso3166Alpha2, 'not an ISO 3166-1 country code: use the two-letter code of the country, such as "US"');
const party = z.strictObject({
  name: shortText,
  address: shortText.optional(),
  representative: shortText.optional(),
});

/** A provision to a third party (29条), as the API, the SDK, the console and the CLI send it. */
export const provisionInputSchema = z
  .strictObject({
    form: z.enum(recordForms as [RecordForm, ...RecordForm[]]).default('single'),
    basis: z.enum(provisionBases as [ProvisionBasis, ...ProvisionBasis[]]),
    providedOn: isoDay,
    /** For a batch record: the latest provision so far (defaults to providedOn). */
    lastProvidedOn: isoDay.optional(),
    recipient: party.extend({
      /** Opt-out provision to an unspecified number of recipients (不特定多数). */
      unspecified: z.boolean().optional(),
      publicBody: z.boolean().optional(),
      country: country.optional(),
    }),
    subjects: subjectIds.default([]),
    subjectDescription: shortText.optional(),
    subjectCount: z.number().int().min(0).optional(),
    dataItems,
    consentProof: shortText.optional(),
    contractRef: shortText.optional(),
    optOutFilingId: z.string().min(1).max(100).optional(),
    anonymizedNoticeGiven: z.boolean().optional(),
    note: z.string().max(2000).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.subjects.length === 0 && !v.subjectDescription) ctx.addIssue({ code: 'custom', path: ['subjects'], message: 'list the people (subject ids) or describe them in subjectDescription' });
    if (v.basis === 'consent' && !v.consentProof) ctx.addIssue({ code: 'custom', path: ['consentProof'], message: 'consent-based provision records that consent was obtained: give a consent receipt id or how consent was taken' });
    if (v.form === 'contract_substitute' && !v.contractRef) ctx.addIssue({ code: 'custom', path: ['contractRef'], message: 'a contract-substitute record names the contract that holds the record items' });
    if (v.basis === 'opt_out' && !v.optOutFilingId) ctx.addIssue({ code: 'custom', path: ['optOutFilingId'], message: 'opt-out provision relies on a PPC filing: give its id' });
    if (v.basis === 'anonymized' && v.anonymizedNoticeGiven !== true) ctx.addIssue({ code: 'custom', path: ['anonymizedNoticeGiven'], message: 'the recipient must be told that the data is 匿名加工情報 (43条6項・44条)' });
    if (v.lastProvidedOn && v.lastProvidedOn < v.providedOn) ctx.addIssue({ code: 'custom', path: ['lastProvidedOn'], message: 'must not be before providedOn' });
  });
export type ProvisionInput = z.input<typeof provisionInputSchema>;

/** A receipt from a third party (30条). */
export const receiptInputSchema = z
  .strictObject({
    form: z.enum(recordForms as [RecordForm, ...RecordForm[]]).default('single'),
    basis: z.enum(['consent', 'opt_out', 'statutory_exception', 'entrustment', 'succession', 'joint_use'] as const),
    receivedOn: isoDay,
    lastReceivedOn: isoDay.optional(),
    provider: party.extend({ publicBody: z.boolean().optional() }),
    /** How the provider acquired the data (取得の経緯). */
    providerAcquisition: z.string().trim().min(1).max(2000),
    consentConfirmed: z.boolean().optional(),
    optOutFilingConfirmed: z.boolean().optional(),
    subjects: subjectIds.default([]),
    subjectDescription: shortText.optional(),
    subjectCount: z.number().int().min(0).optional(),
    dataItems,
    note: z.string().max(2000).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.subjects.length === 0 && !v.subjectDescription) ctx.addIssue({ code: 'custom', path: ['subjects'], message: 'list the people (subject ids) or describe them in subjectDescription' });
    const needsParty = v.basis === 'consent' || v.basis === 'opt_out';
    if (needsParty && (!v.provider.address || !v.provider.representative)) ctx.addIssue({ code: 'custom', path: ['provider'], message: '30条1項1号: confirm the provider\'s address and representative' });
    if (v.basis === 'consent' && v.consentConfirmed !== true) ctx.addIssue({ code: 'custom', path: ['consentConfirmed'], message: 'confirm that the person consented to the provision' });
    if (v.basis === 'opt_out' && v.optOutFilingConfirmed !== true) ctx.addIssue({ code: 'custom', path: ['optOutFilingConfirmed'], message: 'confirm that the provider\'s opt-out filing is published by the PPC' });
  });
export type ReceiptInput = z.input<typeof receiptInputSchema>;

/** A 31条 confirmation before providing 個人関連情報. */
export const relatedConfirmationInputSchema = z
  .strictObject({
    form: z.enum(['single', 'batch'] as const).default('single'),
    confirmedOn: isoDay,
    lastProvidedOn: isoDay.optional(),
    recipient: party.extend({ country: country.optional() }),
    consentMethod: z.string().trim().min(1).max(2000),
    foreignInfoGiven: z.boolean().optional(),
    subjects: subjectIds.default([]),
    subjectDescription: shortText.optional(),
    subjectCount: z.number().int().min(0).optional(),
    dataItems,
    note: z.string().max(2000).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.subjects.length === 0 && !v.subjectDescription) ctx.addIssue({ code: 'custom', path: ['subjects'], message: 'list the people (subject ids) or describe them in subjectDescription' });
    if (v.recipient.country && v.foreignInfoGiven !== true) ctx.addIssue({ code: 'custom', path: ['foreignInfoGiven'], message: 'for a foreign recipient confirm that the person was given the 28条 information' });
  });
export type RelatedConfirmationInput = z.input<typeof relatedConfirmationInputSchema>;

/** A further provision under a batch or contract-substitute record. */
export const provisionExtensionInputSchema = z.strictObject({ providedOn: isoDay, subjects: subjectIds.default([]) });
