import { z } from 'zod';
import { taxonomyKeys } from './taxonomy.ts';
import { catalogToolKeys } from './tool-catalog.ts';
import { isIso3166Alpha2 } from './iso-3166.ts';
import { externalTransmissions, toolTransmission } from './external-transmission-schema.ts';

/**
 * The policy file schema (policy-as-code). Every object is strict: an unknown key is an error that names its line.
 * Texts shown to people are `{ ja, en }` pairs; a plain string is used as-is in both languages (proper names, URLs).
 */

export const text = z.union([z.string().min(1), z.strictObject({ ja: z.string().min(1), en: z.string().min(1) })]);
export type Text = z.infer<typeof text>;

export const refId = z.string().regex(/^[a-z][a-z0-9_]*$/, 'use lower-case letters, digits and _ (starting with a letter), e.g. "contact_email"');

/** A calendar date written YYYY-MM-DD that exists (2024-02-30 is refused). */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'write the date as YYYY-MM-DD, e.g. 2024-10-01')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'this date does not exist on the calendar');

const countryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, 'use the two-letter ISO 3166 country code, e.g. US, JP, DE')
  .refine(isIso3166Alpha2, 'this is not an ISO 3166-1 country code: use the two-letter code of the country, e.g. US, JP, DE (where the country cannot be identified yet, use country_unidentified instead)');

export const contactKinds = ['web_form', 'email', 'postal', 'phone'] as const;
export type ContactKind = (typeof contactKinds)[number];
const contact = z.strictObject({
  id: refId,
  kind: z.enum(contactKinds),
  /** URL for web_form, address for email, postal address for postal, number for phone. */
  value: text,
  label: text.optional(),
  hours: text.optional(),
  /** Addressee line for postal mail (e.g. 個人情報保護管理責任者宛). */
  attention: text.optional(),
});

const accreditedOrganization = z.strictObject({
  name: text,
  complaint_office: text,
  address: text,
  phones: z.array(z.string().min(1)).min(1),
  url: z.url().optional(),
  note: text.optional(),
});

export const operatorKinds = ['corporation', 'individual', 'association'] as const;
const operator = z.strictObject({
  name: text,
  kind: z.enum(operatorKinds),
  address: text.optional(),
  representative: text.optional(),
  /** Title of the person responsible for personal information (個人情報保護管理責任者 …). */
  privacy_officer: text.optional(),
  contacts: z.array(contact).min(1),
  /** Contact ids where complaints and consultations are received (32条, 施行令10条). */
  complaint_contacts: z.array(refId).optional(),
  accredited_organization: accreditedOrganization.optional(),
  /**
   * A group under one responsible company (this operator): the other companies that handle personal information under
   * this policy, each with what it does. Each is a 個人情報取扱事業者 of its own (32条1項1号 applies to each).
   */
  group_members: z.array(z.strictObject({ id: refId, name: text, address: text.optional(), representative: text.optional(), role: text })).default(() => []),
});

export const subjectGroupKinds = ['users', 'customers', 'site_visitors', 'inquirers', 'job_applicants', 'employees', 'business_partners', 'member_end_users', 'members'] as const;
export type SubjectGroupKind = (typeof subjectGroupKinds)[number];
export const dataRoles = ['controller', 'processor'] as const;
export type DataRole = (typeof dataRoles)[number];
const subjectGroup = z.strictObject({
  id: refId,
  kind: z.enum(subjectGroupKinds),
  name: text,
  description: text.optional(),
  /** controller: the operator decides; processor: the data is entrusted by member organizations (委託を受けて取り扱う). */
  role: z.enum(dataRoles).default('controller'),
  entrusted_by: text.optional(),
});

export const acquisitionMethods = ['direct', 'automatic', 'third_party', 'public_sources'] as const;
export type AcquisitionMethod = (typeof acquisitionMethods)[number];
const acquisition = z.strictObject({
  method: z.enum(acquisitionMethods),
  description: text.optional(),
  /** For third_party: who provides it. */
  source: text.optional(),
  /** For third_party: on what basis the provider gave it (27条2項ただし書: data received by opt-out cannot go out by opt-out). */
  provider_basis: z.enum(['consent', 'opt_out', 'statutory_exception', 'entrustment', 'other']).optional(),
  /** 30条 confirmation on receipt from a third party. */
  confirmation: z
    .strictObject({
      provider_name: text,
      provider_address: text,
      provider_representative: text,
      how_provider_acquired: text,
    })
    .optional(),
});

export const dataNatures = ['personal_data', 'person_related'] as const;
const dataItem = z.strictObject({
  id: refId,
  category: z.enum(taxonomyKeys),
  /** Overrides the taxonomy's name. */
  name: text.optional(),
  details: text.optional(),
  /** Overrides the taxonomy: 要配慮個人情報. */
  sensitive: z.boolean().optional(),
  /** Overrides the taxonomy: personal data or 個人関連情報. */
  nature: z.enum(dataNatures).optional(),
  subject_groups: z.array(refId).min(1),
  acquisition: z.array(acquisition).min(1),
  retention: text.optional(),
  /** The person may choose to make it public on their profile (e.g. a birthdate shown to other users). */
  published_by_user: z.boolean().default(false),
});

export const purposeKinds = ['service', 'account', 'communication', 'support', 'billing', 'safety', 'analytics', 'improvement', 'error_reporting', 'advertising', 'marketing', 'research', 'statistics', 'recruitment', 'hr', 'business', 'legal', 'other'] as const;
export type PurposeKind = (typeof purposeKinds)[number];
/** none: needed for the service; consent: asked before use (opt-in); opt_out: used until the person turns it off. */
export const purposeChoices = ['none', 'consent', 'opt_out'] as const;
export type PurposeChoice = (typeof purposeChoices)[number];
const purpose = z.strictObject({
  id: refId,
  kind: z.enum(purposeKinds),
  description: text,
  subject_groups: z.array(refId).min(1),
  data: z.array(refId).min(1),
  choice: z.enum(purposeChoices).default('none'),
});

const purposeChanges = z.strictObject({
  /** related_only: 17条2項, changes stay reasonably related; consent: anything else needs consent first. */
  rule: z.enum(['related_only', 'consent_for_unrelated']),
  methods: z.array(z.enum(['notify', 'publish'])).min(1),
  note: text.optional(),
});

export const statutoryExceptionKeys = ['law', 'life_body_property', 'public_health_children', 'state_cooperation', 'academic'] as const;
// Defaults are functions: zod hands a default value to every parse as-is, so a shared array would leak between policies.
const defaultStatutoryExceptions = (): Array<(typeof statutoryExceptionKeys)[number]> => ['law', 'life_body_property', 'public_health_children', 'state_cooperation'];

const consentProvision = z.strictObject({ id: refId, recipient: text, data: z.array(refId).min(1), purpose: text, note: text.optional() });
const optOutProvision = z.strictObject({
  /** The declared purpose that includes provision to third parties (27条2項2号). */
  purpose: refId.optional(),
  data: z.array(refId).min(1),
  recipients: text,
  acquisition: text,
  method: text,
  stop_request_contacts: z.array(refId).min(1),
  update_method: text,
  start_date: isoDate,
  ppc_filing: z.strictObject({ status: z.enum(['planned', 'filed', 'published']), filed_on: isoDate.optional(), published_on: isoDate.optional(), reference: z.string().optional() }),
});
const outsourcing = z.strictObject({ id: refId, task: text, data: z.array(refId).min(1), contractor: text.optional(), country: countryCode.optional(), supervision: text.optional() });
const jointUse = z.strictObject({
  id: refId,
  data: z.array(refId).min(1),
  users_scope: text,
  purposes: text,
  /** 27条5項3号: a representative is named only where the responsible party is a corporation or association. */
  responsible: z.strictObject({ kind: z.enum(operatorKinds).default('corporation'), name: text, address: text, representative: text.optional() }),
  since: isoDate.optional(),
});
export const foreignBases = ['consent', 'equivalent_system', 'adequate_country'] as const;
const foreignRecipient = z.strictObject({
  id: refId,
  recipient: text,
  country: countryCode.optional(),
  /** 規則17条3項: the country cannot be identified when consent is asked (e.g. a card issuer chosen by the person's card). */
  country_unidentified: z.strictObject({ reason: text, reference: text.optional() }).optional(),
  data: z.array(refId).min(1),
  basis: z.enum(foreignBases),
  /** Information on the country's personal-information regime (規則17条). */
  regime: text.optional(),
  /** The recipient's protective measures, or why they are unknown. */
  measures: text.optional(),
});

const provision = z.strictObject({
  /** Render the 27条1項 exceptions (on by default; these apply by law whatever the file says). */
  statutory_exceptions: z.array(z.enum(statutoryExceptionKeys)).default(defaultStatutoryExceptions),
  consent_based: z.array(consentProvision).default(() => []),
  opt_out: optOutProvision.optional(),
  outsourcing: z.array(outsourcing).default(() => []),
  succession: z.boolean().default(true),
  joint_use: z.array(jointUse).default(() => []),
  foreign: z.array(foreignRecipient).default(() => []),
  /** People inside the operation who are not third parties (e.g. moderators). */
  internal_recipients: text.optional(),
});

const tool = z.strictObject({
  id: refId,
  catalog: z.enum([...catalogToolKeys, 'custom']),
  name: text.optional(),
  provider: text.optional(),
  purpose: refId,
  collects: z.array(text).optional(),
  choice: z.enum(['consent', 'opt_out', 'none']).optional(),
  self_hosted: z.boolean().default(false),
  country: countryCode.optional(),
  opt_out: text.optional(),
  links: z.strictObject({ terms: z.url().optional(), privacy: z.url().optional(), opt_out: z.url().optional() }).optional(),
  cookies: z.array(z.string().min(1)).optional(),
  note: text.optional(),
  /** 外部送信 (電気通信事業法27条の12): one entry per transmission; default one from the catalog. */
  transmissions: z.array(toolTransmission).min(1).optional(),
});

const cookie = z.strictObject({
  name: z.string().min(1),
  tool: refId.optional(),
  purpose: refId,
  duration: text,
  party: z.enum(['first', 'third']).default('first'),
  description: text.optional(),
});

const security = z.strictObject({
  basic_policy: text.optional(),
  internal_rules: text.optional(),
  organizational: z.array(text).default(() => []),
  human: z.array(text).default(() => []),
  physical: z.array(text).default(() => []),
  technical: z.array(text).default(() => []),
  /** 外的環境の把握: every foreign country where personal data is handled, with its regime. Empty means Japan only. */
  foreign_environment: z.array(z.strictObject({ country: countryCode, what: text, regime: text })).default(() => []),
  /** Say why some measures are not published, if disclosing them would impair security (施行令10条1号). */
  withheld: text.optional(),
});

export const requestKinds = ['purpose_notice', 'disclosure', 'correction', 'suspension', 'stop_provision'] as const;
export type RequestKind = (typeof requestKinds)[number];
export const identityMethods = ['email_code', 'app_assertion', 'id_document', 'account_details', 'postal_address_check'] as const;
export type IdentityMethod = (typeof identityMethods)[number];
export const agentKinds = ['legal_representative', 'mandated'] as const;
export type AgentKind = (typeof agentKinds)[number];
export const agentProofs = ['power_of_attorney', 'seal_certificate', 'family_register', 'guardianship_certificate', 'agent_identity_document', 'resident_record'] as const;
export type AgentProof = (typeof agentProofs)[number];
const defaultAgentKinds: readonly AgentKind[] = ['legal_representative', 'mandated'];
const defaultAgentProofs: readonly AgentProof[] = ['power_of_attorney', 'agent_identity_document'];
export const paymentMethods = ['bank_transfer', 'card', 'postal_money_order', 'convenience_store', 'cash_on_site'] as const;
export type PaymentMethod = (typeof paymentMethods)[number];
export const deliveryMethods = ['electronic', 'paper', 'other'] as const;
export type DeliveryMethod = (typeof deliveryMethods)[number];

/**
 * Where a bank transfer goes. The holder is written in katakana as banks show it (振込先の口座名義), e.g.
 * `サトウ ヒナ` or `カ）ヤマトホステイング`.
 */
const bankAccount = z.strictObject({
  bank: text,
  branch: text,
  /** 普通 (ordinary) or 当座 (checking). */
  type: z.enum(['ordinary', 'checking']),
  number: z.string().regex(/^\d{7}$/, 'a Japanese account number has 7 digits, e.g. "1234567"'),
  holder_kana: z.string().regex(/^[\u30A1-\u30FC\uFF08\uFF09()．.・ \u3000－-]+$/, 'write the account holder in full-width katakana as the bank shows it, e.g. "サトウ ヒナ"'),
});

const fee = z.strictObject({
  amount: z.number().int().positive(),
  tax: z.enum(['included', 'excluded', 'not_applicable']),
  unit: z.enum(['per_request', 'per_item']).default('per_request'),
  payment: z.array(z.enum(paymentMethods)).min(1),
  /** The account for `bank_transfer`. */
  bank_account: bankAccount.optional(),
  /** The provider's payment page for `card` or `convenience_store`. */
  payment_url: z.url().optional(),
  /** Days the person has to pay once asked; after that the request lapses with a notice (they may file again). */
  payment_days: z.number().int().min(7).max(180).optional(),
  note: text.optional(),
});

const procedure = z.strictObject({
  offered: z.boolean().default(true),
  /** 'privacy_center' (mamori's online form) and/or contact ids. */
  channels: z.array(z.union([z.literal('privacy_center'), refId])).min(1),
  identity: z.array(z.enum(identityMethods)).min(1),
  identity_documents: z.array(text).default(() => []),
  agents: z.strictObject({ allowed: z.boolean(), kinds: z.array(z.enum(agentKinds)).default(() => []), proofs: z.array(z.enum(agentProofs)).default(() => []) }).default(() => ({ allowed: true, kinds: [...defaultAgentKinds], proofs: [...defaultAgentProofs] })),
  fee: fee.optional(),
  target_days: z.number().int().min(1).max(90).optional(),
  delivery: z.array(z.enum(deliveryMethods)).optional(),
  forms: z.array(z.strictObject({ name: text, url: z.url().optional() })).default(() => []),
  requester_pays_postage: z.boolean().default(false),
  /** Operator-specific cases on top of the statutory grounds (lint warns: they must fit a statutory ground). */
  operator_grounds: z.array(text).default(() => []),
  note: text.optional(),
});

const requests = z.strictObject({
  default_target_days: z.number().int().min(1).max(90).default(14),
  kinds: z.strictObject({
    purpose_notice: procedure.optional(),
    disclosure: procedure.optional(),
    correction: procedure.optional(),
    suspension: procedure.optional(),
    stop_provision: procedure.optional(),
  }),
});

const statistics = z.strictObject({
  /** Statistics that identify no one are made and may be published. */
  produces_statistics: z.boolean().default(false),
  statistics_note: text.optional(),
  anonymized: z.strictObject({ produces: z.boolean(), items: z.array(text).default(() => []), method: text.optional(), provides_to_third_parties: z.boolean().default(false) }).optional(),
  pseudonymized: z.strictObject({ produces: z.boolean(), purposes: text.optional() }).optional(),
});

const history = z.strictObject({ date: isoDate, kind: z.enum(['established', 'revised']), note: text.optional() });

const changes = z.strictObject({
  methods: z.array(z.enum(['publish', 'notify', 'banner', 'email'])).min(1),
  /** When a revision takes effect: on publication, or a stated number of days after announcement. */
  effective: z.enum(['on_publication', 'announced_date']).default('on_publication'),
  note: text.optional(),
});

/**
 * Federation (ActivityPub and the like): what the server delivers to other servers, to which, and on whose action.
 * The other servers are run by other operators or individuals, some abroad, and are chosen by who follows the user.
 */
export const federationBases = ['consent', 'person_direction'] as const;
const federation = z.strictObject({
  protocol: text,
  /** Data ids delivered (public posts, profile, reactions …). */
  delivered: z.array(refId).min(1),
  /** Which servers receive it, e.g. those of the people who follow the user or are mentioned. */
  destinations: text,
  /** The person chooses per post who may see it (public, followers only, direct …). */
  audience_chosen_by_person: z.boolean().default(true),
  /** consent: posting with a chosen audience is the consent to provide; person_direction: delivered as the person directs. */
  basis: z.enum(federationBases),
  /** Servers abroad may receive it; their countries cannot be identified beforehand (規則17条3項). */
  abroad: z.boolean().default(true),
  /** What happens when the person deletes a post (deletion requests are sent; other servers decide). */
  deletion: text.optional(),
  note: text.optional(),
});

export const policySchema = z.strictObject({
  mamori: z.literal(1, { error: 'set `mamori: 1` (the schema version) at the top of the file' }),
  service: z.strictObject({ name: text, url: z.url().optional(), description: text.optional(), scope: text.optional() }),
  operator,
  subject_groups: z.array(subjectGroup).min(1),
  data: z.array(dataItem).min(1),
  purposes: z.array(purpose).min(1),
  purpose_changes: purposeChanges.optional(),
  federation: federation.optional(),
  provision: provision.default(() => ({ statutory_exceptions: defaultStatutoryExceptions(), consent_based: [], outsourcing: [], succession: true, joint_use: [], foreign: [] })),
  tools: z.array(tool).default(() => []),
  /** 電気通信事業法27条の12: whether the 外部送信規律 applies to the service. */
  external_transmissions: externalTransmissions.optional(),
  cookies: z.array(cookie).default(() => []),
  retention: z.strictObject({ general: text, items: z.array(z.strictObject({ data: z.array(refId).min(1), period: text })).default(() => []) }).optional(),
  security: security.optional(),
  requests,
  statistics: statistics.optional(),
  changes: changes.optional(),
  history: z.array(history).default(() => []),
});

/** A validated policy (defaults applied). */
export type Policy = z.infer<typeof policySchema>;
/** The policy as written in the file, before defaults. */
export type PolicyInput = z.input<typeof policySchema>;
export type PolicyDataItem = Policy['data'][number];
export type PolicyPurpose = Policy['purposes'][number];
export type PolicyTool = Policy['tools'][number];
export type RequestProcedure = NonNullable<Policy['requests']['kinds'][RequestKind]>;
export type PolicyContact = Policy['operator']['contacts'][number];
