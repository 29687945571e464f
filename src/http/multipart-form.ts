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

/**
 * Reads a form posted as multipart/form-data or application/x-www-form-urlencoded. Empty file inputs (a browser
 * sends them with an empty name) are skipped; an oversize file is noted, not thrown, so the page can explain it.
 */
export async function readForm(request: FastifyRequest): Promise<ParsedForm> {
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
        const bytes = await part.toBuffer();
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
