import { z } from 'zod';
import type { DbOrTrx } from '../store/store.ts';
import { provisionBases, recordForms, type ProvisionBasis, type RecordForm } from '../law/appi/record-retention.ts';

// Shared by the stored record tables: row parsing and the link from a record to the people it covers.
export type RecordType = 'provision' | 'receipt' | 'related_confirmation';

export const stringArray = z.array(z.string());
export const formSchema = z.enum(recordForms as [RecordForm, ...RecordForm[]]);
export const basisSchema = z.enum(provisionBases as [ProvisionBasis, ...ProvisionBasis[]]);

export async function addSubjects(db: DbOrTrx, type: RecordType, id: string, subjects: string[]): Promise<void> {
  const unique = [...new Set(subjects)];
  for (let i = 0; i < unique.length; i += 500) {
    const chunk = unique.slice(i, i + 500);
    await db.insertInto('record_subjects').values(chunk.map((s) => ({ record_type: type, record_id: id, subject_id: s }))).onConflict((oc) => oc.doNothing()).execute();
  }
}
