import type { FastifyRequest } from 'fastify';
import { MamoriError } from '../errors.ts';
import { MAX_REQUEST_FILE_BYTES } from '../requests/request-uploads.ts';

export interface FormFile {
  field: string;
  filename: string;
  bytes: Buffer;
}

export interface ParsedForm {
  fields: Record<string, string>;
  files: FormFile[];
  /** Fields whose file went over the size limit (the form is shown again with a message, nothing is stored). */
  tooLarge: string[];
}

/** A running byte total that throws once a body's files pass their cap (see requests/upload-quota.ts). */
export interface ByteBudget {
  add(bytes: number): void;
}

/**
 * A file part's bytes, chunk by chunk through `budget`: reading stops at the first chunk over the cap, so a hostile
 * body is never held in memory beyond it.
 */
export async function collectFile(file: AsyncIterable<Buffer>, budget?: ByteBudget): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of file) {
    budget?.add(chunk.length);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads a form posted as multipart/form-data or application/x-www-form-urlencoded. Empty file inputs (a browser
 * sends them with an empty name) are skipped; an oversize file is noted, not thrown, so the page can explain it.
 * With a `budget` (anonymous uploads) all files together are capped while they are read.
 */
export async function readForm(request: FastifyRequest, opts: { budget?: ByteBudget } = {}): Promise<ParsedForm> {
  const fields: Record<string, string> = {};
  const files: FormFile[] = [];
  const tooLarge: string[] = [];
  if (!request.isMultipart()) {
    const body = request.body;
    if (body && typeof body === 'object') {
      for (const [k, v] of Object.entries(body)) if (typeof v === 'string') fields[k] = v;
    }
    return { fields, files, tooLarge };
  }
  try {
    // throwFileSizeLimit: false keeps reading after an oversize file (marked `truncated`) so the page can explain it.
    const options = { limits: { fileSize: MAX_REQUEST_FILE_BYTES, files: 10, fields: 60 }, throwFileSizeLimit: false };
    for await (const part of request.parts(options)) {
      if (part.type === 'file') {
        const bytes = await collectFile(part.file, opts.budget);
        if (part.file.truncated) tooLarge.push(part.fieldname);
        else if (part.filename && bytes.length > 0) files.push({ field: part.fieldname, filename: part.filename, bytes });
      } else if (typeof part.value === 'string') {
        if (part.value.includes('\u0000')) throw new MamoriError('MAMORI_BAD_REQUEST', 'A field contains a NUL character, which is not accepted.');
        fields[part.fieldname] = part.value;
      }
    }
  } catch (err) {
    if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('FST_')) {
      throw new MamoriError('MAMORI_BAD_REQUEST', 'The form could not be read (too many files or fields). Please go back and send it again with fewer files.');
    }
    throw err;
  }
  return { fields, files, tooLarge };
}
