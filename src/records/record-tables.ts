/** Tables owned by the records domain. Conventions: ISO-8601 UTC text times, YYYY-MM-DD dates, 0/1 booleans, JSON as text. */
export interface RecordTables {
  record_provisions: ProvisionRecordTable;
  record_receipts: ReceiptRecordTable;
  record_related_confirmations: RelatedConfirmationTable;
  record_subjects: RecordSubjectTable;
  record_optout_filings: OptOutFilingTable;
  record_optout_stops: OptOutStopTable;
  record_incidents: IncidentTable;
  record_incident_notices: IncidentNoticeTable;
  record_anonymization_jobs: AnonymizationJobTable;
  record_revision_notices: RevisionNoticeTable;
  record_revision_deliveries: RevisionDeliveryTable;
}

/** 29条: one provision to a third party (or one batch/contract record standing for many). */
export interface ProvisionRecordTable {
  id: string;
  created_at: string;
  created_by: string;
  /** single | batch | contract_substitute */
  form: string;
  /** consent | opt_out | statutory_exception | entrustment | succession | joint_use | anonymized */
  basis: string;
  /** First provision (YYYY-MM-DD); for a batch record the period start. */
  provided_on: string;
  /** Last provision so far: retention runs from here (規則21条). */
  last_provided_on: string;
  recipient_name: string;
  recipient_address: string | null;
  recipient_representative: string | null;
  /** Opt-out provision to an unspecified number of recipients (不特定多数). */
  recipient_unspecified: number;
  recipient_public_body: number;
  /** ISO 3166 code of a foreign recipient's country, else null. */
  foreign_country: string | null;
  /** How the individuals are described when not listed one by one (batch), e.g. "members who joined the campaign". */
  subject_description: string | null;
  subject_count: number;
  /** JSON string[]: the data items provided. */
  data_items: string;
  /** Evidence of consent: a consent receipt id, a form name and version… */
  consent_proof: string | null;
  /** For contract-substitute records: the contract that holds the record items. */
  contract_ref: string | null;
  /** Opt-out filing the provision relies on. */
  optout_filing_id: string | null;
  /** 43条6項・44条: the recipient was told the data is 匿名加工情報. */
  anonymized_notice_given: number;
  /** Whether 29条 requires this record (a voluntary record of an exempt provision is kept but marked). */
  required: number;
  retain_until: string;
  source: string;
  note: string | null;
}

/** 30条: confirmation and record on receiving personal data from a third party. */
export interface ReceiptRecordTable {
  id: string;
  created_at: string;
  created_by: string;
  form: string;
  basis: string;
  received_on: string;
  last_received_on: string;
  provider_name: string;
  provider_address: string | null;
  provider_representative: string | null;
  /** How the provider acquired the data (取得の経緯). */
  provider_acquisition: string;
  /** For consent-based receipt: consent of the person confirmed. */
  consent_confirmed: number;
  /** For opt-out receipt: the provider's PPC filing was confirmed as published. */
  optout_filing_confirmed: number;
  subject_description: string | null;
  subject_count: number;
  data_items: string;
  required: number;
  retain_until: string;
  source: string;
  note: string | null;
}

/** 31条: before providing 個人関連情報, confirmation that the recipient holds the person's consent. */
export interface RelatedConfirmationTable {
  id: string;
  created_at: string;
  created_by: string;
  form: string;
  confirmed_on: string;
  last_provided_on: string;
  recipient_name: string;
  recipient_address: string | null;
  recipient_representative: string | null;
  foreign_country: string | null;
  /** How the recipient obtains consent (e.g. its own consent banner). */
  consent_method: string;
  /** For foreign recipients: the 28条 information was given to the person. */
  foreign_info_given: number;
  subject_description: string | null;
  subject_count: number;
  data_items: string;
  retain_until: string;
  source: string;
  note: string | null;
}

/** Which subjects a record concerns, for disclosure (33条5項) and per-person lookups. */
export interface RecordSubjectTable {
  record_type: string;
  record_id: string;
  subject_id: string;
}

/** 27条2項: an opt-out filing with the PPC and its publication. */
export interface OptOutFilingTable {
  id: string;
  created_at: string;
  /** draft | filed | published | withdrawn */
  status: string;
  title: string;
  data_items: string;
  filed_on: string | null;
  ppc_published_on: string | null;
  self_published_on: string | null;
  note: string | null;
  updated_at: string;
}

/** A person asked that opt-out provision stop: later provisions of their data are refused. */
export interface OptOutStopTable {
  id: string;
  subject_id: string;
  filing_id: string | null;
  requested_at: string;
  /** staff | request | api */
  source: string;
  request_id: string | null;
}

/** 26条: a leak, loss or damage (or suspicion of one). */
export interface IncidentTable {
  id: string;
  created_at: string;
  updated_at: string;
  created_by: string;
  title: string;
  discovered_at: string;
  occurred_at: string | null;
  description: string;
  data_items: string;
  affected_count: number | null;
  sensitive_data: number;
  financial_harm_data: number;
  unauthorized_purpose: number;
  skimming: number;
  advanced_encryption: number;
  pseudonymized_only: number;
  /** open | closed */
  status: string;
  /** JSON: the 規則8条 draft values keyed by field. */
  report_fields: string;
  preliminary_submitted_at: string | null;
  final_submitted_at: string | null;
  notice_slug: string | null;
  notice_published_at: string | null;
  /** While the count is unknown: why staff ruled the 1,000-person threshold out (else it is provisionally reportable). */
  threshold_ruled_out_reason: string | null;
  /** 26条2項ただし書: why a public notice replaces notices to the persons. */
  public_notice_reason: string | null;
}

/** Each notice to an affected person, or the publication of the alternative notice page. */
export interface IncidentNoticeTable {
  id: string;
  incident_id: string;
  created_at: string;
  /** mail | page */
  channel: string;
  subject_id: string | null;
  mail_id: string | null;
  created_by: string;
}

/** A 匿名加工情報 job: its configuration, its counts and the published item list (43条3項). */
export interface AnonymizationJobTable {
  id: string;
  created_at: string;
  created_by: string;
  name: string;
  dataset: string;
  config: string;
  k: number;
  input_rows: number;
  output_rows: number;
  suppressed_rows: number;
  /** JSON [{ name, label: {ja,en} }]: items of personal information the output contains. */
  items: string;
  published_at: string | null;
  /** SHA-256 of the output CSV. */
  output_sha256: string;
  provision_id: string | null;
}

/** A notice sent after a policy revision or purpose change. */
export interface RevisionNoticeTable {
  id: string;
  created_at: string;
  created_by: string;
  policy_version_id: string;
  /** revision | purpose_change */
  kind: string;
  /** contact_hook | list */
  audience: string;
  subject: string;
  body: string;
  recipient_count: number;
}

export interface RevisionDeliveryTable {
  id: string;
  notice_id: string;
  /** The operator's user id when it came from the contact hook, else null. */
  subject_id: string | null;
  mail_id: string;
  created_at: string;
}
