import { z } from 'zod';
import { subjectId } from './consent-subject.ts';

/**
 * The JSON shapes of the consent API. The routes describe themselves in OpenAPI with these schemas and the SDK
 * (`mamori/client`) parses responses with them, so the SDK's types are the OpenAPI document's types.
 */
export const consentMethods = ['banner', 'settings', 'api', 'gpc', 'import'] as const;
export type ConsentMethod = (typeof consentMethods)[number];

export const decisionBases = ['not_required', 'consent', 'no_consent', 'refused', 'opt_out_default'] as const;
/** not_required: a `none` purpose; consent: the person said yes; no_consent: a consent purpose with no yes;
 * refused: the person said no (or withdrew, or opted out); opt_out_default: an opt-out purpose not turned off. */
export type DecisionBasis = (typeof decisionBases)[number];

export const purposeId = z.string().regex(/^[a-z][a-z0-9_]*$/).max(100);

export const recordConsentBody = z.strictObject({
  /** Omit when `assertion` names the user. */
  subject: subjectId.optional(),
  /** A signed assertion from the operator's app: records for its `sub` (consent.js on a logged-in page). */
  assertion: z.string().max(4096).optional(),
  /** The consent session returned for a spent assertion: later saves on the same signed-in page (assertions are one-time). */
  session: z.string().max(1024).optional(),
  choices: z.record(purposeId, z.boolean()).refine((c) => Object.keys(c).length > 0 && Object.keys(c).length <= 100, 'give between 1 and 100 choices'),
  /** Each tool's own switch inside a purpose (`{ analytics: { ga: true, clarity: false } }`): the banner's per-service toggles. */
  tools: z
    .record(purposeId, z.record(purposeId, z.boolean()))
    .refine((t) => Object.values(t).reduce((n, x) => n + Object.keys(x).length, 0) <= 200, 'give at most 200 tool choices')
    .optional(),
  /** The consent version the person was shown; defaults to the current one. */
  policyVersion: z.string().min(1).max(64).optional(),
  method: z.enum(consentMethods).default('api'),
});
export type RecordConsentBody = z.input<typeof recordConsentBody>;

export const receipt = z.object({
  id: z.string(),
  subject: z.string(),
  subjectKind: z.enum(['user', 'browser']),
  choices: z.record(z.string(), z.boolean()),
  /** Per purpose, each tool's own switch; absent when the receipt names no tool (and on receipts made before tools were kept). */
  tools: z.record(z.string(), z.record(z.string(), z.boolean())).optional(),
  policyVersion: z.string(),
  method: z.enum(consentMethods),
  recordedAt: z.string(),
  proof: z.string(),
});
export type Receipt = z.infer<typeof receipt>;

export const recordConsentResponse = z.object({
  receipt,
  /** Only when the receipt was recorded with a signed assertion: send it as `session` for the same user's later choices (one hour). */
  session: z.string().optional(),
});

export const decision = z.object({
  allowed: z.boolean(),
  basis: z.enum(decisionBases),
  policyVersion: z.string(),
  /** For a purpose served by tools: whether each tool may run (the purpose is allowed and the person did not switch that tool off). */
  tools: z.record(z.string(), z.boolean()).optional(),
});
export type Decision = z.infer<typeof decision>;

export const decisionQuery = z.strictObject({
  subject: subjectId,
  /** One purpose id, or several separated by commas (batch form). Omit for every purpose of the policy. */
  purpose: z.string().max(2000).optional(),
});

export const decisionsResponse = z.object({ subject: z.string(), policyVersion: z.string(), decisions: z.record(z.string(), decision) });
export type DecisionsResponse = z.infer<typeof decisionsResponse>;

export const subjectConsents = z.object({
  subject: z.string(),
  /** Current choice per purpose; a tool's own switch is keyed `<purpose>/<tool>`. */
  preferences: z.record(z.string(), z.object({ allowed: z.boolean(), policyVersion: z.string(), method: z.enum(consentMethods), receiptId: z.string(), updatedAt: z.string() })),
  receipts: z.array(receipt),
});
export type SubjectConsents = z.infer<typeof subjectConsents>;

const pairSchema = z.object({ ja: z.string(), en: z.string() });
export const bannerConfig = z.object({
  version: z.string(),
  policyUrl: z.string(),
  purposes: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      choice: z.enum(['none', 'consent', 'opt_out']),
      label: pairSchema,
      description: pairSchema,
      gpc: z.boolean(),
      signals: z.array(z.string()),
      cookies: z.array(z.string()),
      tools: z.array(z.object({ id: z.string(), name: z.string(), provider: pairSchema.nullable(), collects: z.array(pairSchema), privacyUrl: z.string().nullable(), optOutUrl: z.string().nullable(), cookies: z.array(z.string()) })),
    }),
  ),
});
