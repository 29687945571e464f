import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { newId } from '../ids.ts';
import { appendAudit, type Actor } from '../audit/audit-log.ts';
import { MamoriError } from '../errors.ts';
import type { DbOrTrx } from '../store/store.ts';
import { anonymizationRules, checkAnonymizationConfig, columnRoles, transformCell, type AnonymizationColumn, type ColumnRole } from '../law/appi/anonymization.ts';
import { jstDate } from '../law/appi/breach.ts';
import { parseCsv, writeCsv } from './csv.ts';
import { parseRecordInput } from './record-errors.ts';
import { inTransaction } from './in-transaction.ts';
import { recordProvision, type ProvisionRecord } from './provision-records.ts';

const label = z.strictObject({ ja: z.string().min(1), en: z.string().min(1) });
const transform = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('drop') }),
  z.strictObject({ kind: z.literal('keep') }),
  z.strictObject({ kind: z.literal('bucket'), width: z.number().positive() }),
  z.strictObject({ kind: z.literal('top_code'), max: z.number(), bottom: z.number().optional() }),
  z.strictObject({ kind: z.literal('date_truncate'), to: z.enum(['year', 'month']) }),
  z.strictObject({ kind: z.literal('prefix'), length: z.number().int().min(1) }),
  z.strictObject({ kind: z.literal('map'), values: z.record(z.string(), z.string()), otherwise: z.string().optional() }),
]);

/** A job file (YAML or JSON): every input column must be classified, so a new column cannot slip through. */
export const anonymizationJobSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  dataset: z.string().trim().min(1).max(500),
  k: z.number().int().default(anonymizationRules.defaultK),
  columns: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        role: z.enum(columnRoles as [ColumnRole, ...ColumnRole[]]),
        transform: transform.optional(),
        label: label.optional(),
      }),
    )
    .min(1),
});
export type AnonymizationJobConfig = z.infer<typeof anonymizationJobSchema>;

export interface AnonymizationResult {
  header: string[];
  rows: string[][];
  inputRows: number;
  suppressedRows: number;
  /** The items of personal information the output holds, for the 43条3項 publication. */
  items: Array<{ name: string; label: { ja: string; en: string }; method: string }>;
  csv: string;
}

function resolvedColumns(config: AnonymizationJobConfig): AnonymizationColumn[] {
  return config.columns.map((c) => {
    const t = c.transform ?? ((anonymizationRules.mustDrop as readonly ColumnRole[]).includes(c.role) ? { kind: 'drop' as const } : { kind: 'keep' as const });
    return { name: c.name, role: c.role, transform: t, ...(c.label ? { label: c.label } : {}) };
  });
}

function methodOf(c: AnonymizationColumn): string {
  const t = c.transform;
  switch (t.kind) {
    case 'drop': return '削除';
    case 'keep': return 'そのまま';
    case 'bucket': return `${t.width}単位に区分`;
    case 'top_code': return `${t.max}以上をまとめる（トップコーディング）`;
    case 'date_truncate': return t.to === 'year' ? '年単位に丸め' : '月単位に丸め';
    case 'prefix': return `先頭${t.length}文字に短縮`;
    case 'map': return '区分に置換';
    default: {
      const never: never = t;
      return never;
    }
  }
}

/**
 * Runs a job over CSV text: drops identifiers, generalizes quasi-identifiers, then suppresses every row whose
 * combination of quasi-identifiers is shared by fewer than k rows (k-anonymity). Pure: no I/O.
 */
export function anonymizeCsv(csvText: string, configInput: unknown): AnonymizationResult {
  const config = parseRecordInput(anonymizationJobSchema, configInput, 'MAMORI_ANONYMIZATION_CONFIG_INVALID');
  const columns = resolvedColumns(config);
  const issues = checkAnonymizationConfig({ k: config.k, columns });
  if (issues.length > 0) throw new MamoriError('MAMORI_ANONYMIZATION_CONFIG_INVALID', issues.map((i) => `${i.message} (${i.article})`).join('; '), { issues });
  let table: string[][];
  try {
    table = parseCsv(csvText);
  } catch (err) {
    throw new MamoriError('MAMORI_ANONYMIZATION_INPUT_INVALID', `The CSV could not be read: ${err instanceof Error ? err.message : 'parse error'}.`);
  }
  const header = table[0];
  if (!header) throw new MamoriError('MAMORI_ANONYMIZATION_INPUT_INVALID', 'The CSV is empty: it needs a header row.');
  const byName = new Map(columns.map((c) => [c.name, c]));
  const unclassified = header.filter((h) => !byName.has(h));
  if (unclassified.length > 0) throw new MamoriError('MAMORI_ANONYMIZATION_INPUT_INVALID', `Classify every column in the job file; not classified: ${unclassified.join(', ')}.`, { unclassified });
  const missing = columns.filter((c) => !header.includes(c.name)).map((c) => c.name);
  if (missing.length > 0) throw new MamoriError('MAMORI_ANONYMIZATION_INPUT_INVALID', `Columns in the job file are missing from the CSV: ${missing.join(', ')}.`, { missing });

  const kept = header.map((h, idx) => ({ idx, col: byName.get(h) })).filter((x): x is { idx: number; col: AnonymizationColumn } => !!x.col && x.col.transform.kind !== 'drop');
  const quasiPositions = kept.map((k, pos) => (k.col.role === 'quasi_identifier' ? pos : -1)).filter((p) => p >= 0);
  const body = table.slice(1);
  const transformed: string[][] = [];
  body.forEach((r, lineNo) => {
    if (r.length !== header.length) throw new MamoriError('MAMORI_ANONYMIZATION_INPUT_INVALID', `Row ${lineNo + 2} has ${r.length} cells; the header has ${header.length}.`);
    transformed.push(kept.map((k) => transformCell(r[k.idx] ?? '', k.col.transform) ?? ''));
  });
  const classKey = (row: string[]) => JSON.stringify(quasiPositions.map((p) => row[p]));
  const sizes = new Map<string, number>();
  for (const row of transformed) sizes.set(classKey(row), (sizes.get(classKey(row)) ?? 0) + 1);
  const rows = transformed.filter((row) => (sizes.get(classKey(row)) ?? 0) >= config.k);
  const outHeader = kept.map((k) => k.col.name);
  return {
    header: outHeader,
    rows,
    inputRows: body.length,
    suppressedRows: body.length - rows.length,
    items: kept.map((k) => ({ name: k.col.name, label: k.col.label ?? { ja: k.col.name, en: k.col.name }, method: methodOf(k.col) })),
    csv: writeCsv([outHeader, ...rows]),
  };
}

/** The notice a recipient of 匿名加工情報 must be given (43条6項・44条): that it is anonymized, with its items and method. */
export function anonymizedRecipientNotice(operatorName: string, job: { name: string; items: AnonymizationResult['items'] }): string {
  return [
    `${operatorName}より提供する本データ（${job.name}）は、個人情報の保護に関する法律第43条第1項に定める匿名加工情報です。`,
    '受領者は、本データの作成に用いられた個人情報に係る本人を識別するために、他の情報と照合すること、及び加工の方法に関する情報を取得することが禁止されています（同法第45条）。',
    '',
    '含まれる個人に関する情報の項目と提供の方法:',
    ...job.items.map((i) => `- ${i.label.ja}（${i.method}）`),
    '',
    `This data (${job.name}) from ${operatorName} is anonymized personal information under Article 43(1) APPI. Re-identifying people from it, or acquiring information on how it was processed, is prohibited (Article 45).`,
  ].join('\n');
}

export interface AnonymizationJob {
  id: string;
  name: string;
  dataset: string;
  createdAt: string;
  k: number;
  inputRows: number;
  outputRows: number;
  suppressedRows: number;
  items: AnonymizationResult['items'];
  publishedAt: string | null;
  outputSha256: string;
  provisionId: string | null;
}

const itemsSchema = z.array(z.strictObject({ name: z.string(), label, method: z.string() }));

/**
 * Stores a finished job and publishes its item list at once (43条3項: without delay after creation). When a
 * recipient is given, also records the provision with the 匿名加工情報 notice given.
 */
export async function recordAnonymizationJob(
  db: DbOrTrx,
  clock: Clock,
  actor: Actor,
  input: { config: AnonymizationJobConfig; result: AnonymizationResult; recipient?: { name: string; address?: string; representative?: string } },
): Promise<{ job: AnonymizationJob; provision: ProvisionRecord | null }> {
  const now = clock.now().toISOString();
  const sha = createHash('sha256').update(input.result.csv).digest('hex');
  const id = newId('anon');
  return inTransaction(db, async (trx) => {
    let provision: ProvisionRecord | null = null;
    if (input.recipient) {
      provision = await recordProvision(trx, clock, actor, {
        basis: 'anonymized', form: 'single', providedOn: jstDate(clock.now()), recipient: input.recipient,
        subjectDescription: `匿名加工情報「${input.config.name}」（特定の個人を識別できないよう加工済み）`, subjectCount: 0,
        dataItems: input.result.items.map((i) => i.label.ja), anonymizedNoticeGiven: true, note: `anonymization job ${id}`,
      }, 'anonymization');
    }
    await trx.insertInto('record_anonymization_jobs').values({
      id, created_at: now, created_by: actor, name: input.config.name, dataset: input.config.dataset, config: JSON.stringify(input.config), k: input.config.k,
      input_rows: input.result.inputRows, output_rows: input.result.rows.length, suppressed_rows: input.result.suppressedRows, items: JSON.stringify(input.result.items),
      published_at: now, output_sha256: sha, provision_id: provision?.id ?? null,
    }).execute();
    await appendAudit(trx, clock, { actor, action: 'records.anonymization_job_recorded', targetType: 'anonymization_job', targetId: id, data: { k: input.config.k, inputRows: input.result.inputRows, outputRows: input.result.rows.length, suppressedRows: input.result.suppressedRows, items: input.result.items.map((i) => i.name), published: true, provisionId: provision?.id ?? null } });
    return {
      job: { id, name: input.config.name, dataset: input.config.dataset, createdAt: now, k: input.config.k, inputRows: input.result.inputRows, outputRows: input.result.rows.length, suppressedRows: input.result.suppressedRows, items: input.result.items, publishedAt: now, outputSha256: sha, provisionId: provision?.id ?? null },
      provision,
    };
  });
}

export async function listAnonymizationJobs(db: DbOrTrx, opts: { publishedOnly?: boolean } = {}): Promise<AnonymizationJob[]> {
  let q = db.selectFrom('record_anonymization_jobs').selectAll();
  if (opts.publishedOnly) q = q.where('published_at', 'is not', null);
  const rows = await q.orderBy('created_at', 'desc').limit(500).execute();
  return rows.map((r) => ({
    id: r.id, name: r.name, dataset: r.dataset, createdAt: r.created_at, k: r.k, inputRows: r.input_rows, outputRows: r.output_rows, suppressedRows: r.suppressed_rows,
    items: itemsSchema.parse(JSON.parse(r.items)), publishedAt: r.published_at, outputSha256: r.output_sha256, provisionId: r.provision_id,
  }));
}
