/**
 * The SDK's provision-record methods: `createClient` spreads these in. They call the records API with a staff API
 * key whose role may manage records (officer or admin), and parse every answer.
 */
import { z } from 'zod';
import type { ProvisionInput, ReceiptInput, RelatedConfirmationInput } from '../records/provision-records.ts';
import { provisionRecordResponse, receiptRecordResponse, relatedConfirmationResponse, type ProvisionRecordResponse, type ReceiptRecordResponse, type RelatedConfirmationResponse } from '../records/record-api-schemas.ts';

export type { ProvisionInput, ReceiptInput, RelatedConfirmationInput } from '../records/provision-records.ts';
export type { ProvisionRecordResponse, ReceiptRecordResponse, RelatedConfirmationResponse } from '../records/record-api-schemas.ts';

export interface SdkHttp {
  request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

export interface ProvisionMethods {
  /**
   * Records a provision of personal data to a third party (29条). Call it each time you provide, or once for a
   * batch record and then `recordFurtherProvision` for later provisions under it.
   * @example await mamori.recordProvision({ basis: 'consent', providedOn: '2026-04-01', recipient: { name: '提携先株式会社' }, subjects: [user.id], dataItems: ['メールアドレス'], consentProof: receipt.id });
   */
  recordProvision(input: ProvisionInput): Promise<ProvisionRecordResponse>;
  /** A later provision under a batch or contract-substitute record: moves its retention date. */
  recordFurtherProvision(recordId: string, input: { providedOn: string; subjects?: string[] }): Promise<ProvisionRecordResponse>;
  /** Records the confirmation on receiving personal data from a third party (30条). */
  recordReceipt(input: ReceiptInput): Promise<ReceiptRecordResponse>;
  /** Records a 31条 confirmation before providing person-related information (cookie ids etc.). */
  recordRelatedConfirmation(input: RelatedConfirmationInput): Promise<RelatedConfirmationResponse>;
  /** A subject's provision records (newest first). */
  provisionsFor(subject: string): Promise<ProvisionRecordResponse[]>;
  /** Flags that a person asked opt-out provision of their data to stop (later opt-out records refuse them). */
  flagOptOutStop(subject: string): Promise<{ id: string; alreadyFlagged: boolean }>;
}

const listResponse = z.object({ provisions: z.array(provisionRecordResponse) });
const stopResponse = z.object({ id: z.string(), alreadyFlagged: z.boolean() });

export function provisionMethods(http: SdkHttp): ProvisionMethods {
  return {
    async recordProvision(input) {
      return provisionRecordResponse.parse(await http.request<unknown>('POST', '/api/v1/provisions', input));
    },
    async recordFurtherProvision(recordId, input) {
      return provisionRecordResponse.parse(await http.request<unknown>('POST', `/api/v1/provisions/${encodeURIComponent(recordId)}/provided`, input));
    },
    async recordReceipt(input) {
      return receiptRecordResponse.parse(await http.request<unknown>('POST', '/api/v1/receipts', input));
    },
    async recordRelatedConfirmation(input) {
      return relatedConfirmationResponse.parse(await http.request<unknown>('POST', '/api/v1/related-confirmations', input));
    },
    async provisionsFor(subject) {
      return listResponse.parse(await http.request<unknown>('GET', `/api/v1/provisions?subject=${encodeURIComponent(subject)}`)).provisions;
    },
    async flagOptOutStop(subject) {
      return stopResponse.parse(await http.request<unknown>('POST', '/api/v1/optout-stops', { subjectId: subject }));
    },
  };
}
