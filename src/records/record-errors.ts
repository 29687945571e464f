import type { z } from 'zod';
import { MamoriError, registerErrorCodes } from '../errors.ts';

/** Stable error codes of the records domain (provision records, incidents, anonymization, notices). */
export const recordErrorCodes = registerErrorCodes({
  MAMORI_RECORD_INVALID: { status: 400, message: 'The record is missing fields or has invalid values.' },
  MAMORI_RECORD_NOT_FOUND: { status: 404, message: 'No record with this id.' },
  MAMORI_RECORD_FORM_NOT_ALLOWED: { status: 400, message: 'This record form is not allowed for this basis (a batch record cannot be used for opt-out provision).' },
  MAMORI_RECORD_OPTOUT_NOT_FILED: { status: 409, message: 'Opt-out provision needs an opt-out filing that has been filed with the PPC.' },
  MAMORI_RECORD_OPTOUT_STOPPED: { status: 409, message: 'A person in this provision asked that opt-out provision of their data stop.' },
  MAMORI_INCIDENT_INVALID: { status: 400, message: 'The incident is missing fields or has invalid values.' },
  MAMORI_INCIDENT_NOT_FOUND: { status: 404, message: 'No incident with this id.' },
  MAMORI_INCIDENT_REPORT_INCOMPLETE: { status: 409, message: 'The report is missing items required by 規則8条.' },
  MAMORI_INCIDENT_NOTICE_SLUG_TAKEN: { status: 409, message: 'Another notice page already uses this address.' },
  MAMORI_NOTICE_NOT_FOUND: { status: 404, message: 'No notice at this address.' },
  MAMORI_ANONYMIZATION_CONFIG_INVALID: { status: 400, message: 'The anonymization job configuration does not meet the processing standard.' },
  MAMORI_ANONYMIZATION_INPUT_INVALID: { status: 400, message: 'The input data could not be read.' },
  MAMORI_REVISION_NOTICE_INVALID: { status: 400, message: 'The revision notice is missing fields or has invalid values.' },
  MAMORI_STATISTICS_INVALID: { status: 400, message: 'The statistics query is invalid.' },
});

export type RecordErrorCode = keyof typeof recordErrorCodes;

/** Parses outside input with a schema; a failure becomes `code` with every issue named by path. */
export function parseRecordInput<S extends z.ZodType>(schema: S, value: unknown, code: RecordErrorCode): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
  throw new MamoriError(code, `${recordErrorCodes[code].message} ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
}
