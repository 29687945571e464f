import { basename } from 'node:path';
import { MamoriError } from '../errors.ts';
import './request-errors.ts';

/** Files a requester or staff may attach: PDF, PNG, JPEG up to 10 MB, recognized by their bytes, not their name. */
export const MAX_REQUEST_FILE_BYTES = 10 * 1024 * 1024;

export type AcceptedFileType = 'application/pdf' | 'image/png' | 'image/jpeg';

export interface UploadedFile {
  filename: string;
  bytes: Buffer;
}

/** The type told by the file's first bytes, or null. */
export function sniffFileType(bytes: Uint8Array): AcceptedFileType | null {
  if (bytes.length >= 5 && Buffer.from(bytes.subarray(0, 5)).toString('latin1') === '%PDF-') return 'application/pdf';
  if (bytes.length >= 8 && Buffer.from(bytes.subarray(0, 8)).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return null;
}

/**
 * A safe display name: no path, no control characters, no Unicode format characters (bidi overrides such as U+202E
 * make `\u202Efdp.exe` show as `exe.pdf`; zero-width characters hide text), NFC, at most 120 characters.
 */
export function cleanFilename(name: string): string {
  const visible = name.normalize('NFC').replace(/\p{Cf}/gu, '');
  const base = basename(visible.replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f-\u009f"<>|:*?]/g, '_').trim();
  return (base || 'file').slice(0, 120);
}

/** Checks one upload; throws MAMORI_REQUEST_UPLOAD_TOO_LARGE or MAMORI_REQUEST_UPLOAD_TYPE naming the file. */
export function checkUpload(file: UploadedFile): { filename: string; contentType: AcceptedFileType } {
  const filename = cleanFilename(file.filename);
  if (file.bytes.length > MAX_REQUEST_FILE_BYTES) {
    throw new MamoriError('MAMORI_REQUEST_UPLOAD_TOO_LARGE', `"${filename}" is larger than 10 MB. Please send a smaller scan (e.g. lower resolution, or split it).`);
  }
  if (file.bytes.length === 0) throw new MamoriError('MAMORI_REQUEST_UPLOAD_TYPE', `"${filename}" is empty.`);
  const contentType = sniffFileType(file.bytes);
  if (!contentType) throw new MamoriError('MAMORI_REQUEST_UPLOAD_TYPE', `"${filename}" is not a PDF, PNG or JPEG file. Only these types are accepted.`);
  return { filename, contentType };
}

/** Gathered exports may also be text: a CSV or a JSON file exported from one of the operator's systems. */
export type GatheredFileType = AcceptedFileType | 'text/csv; charset=utf-8' | 'application/json';

function textExportType(filename: string, bytes: Buffer): 'text/csv; charset=utf-8' | 'application/json' | null {
  // Text only: valid UTF-8 without NUL bytes; JSON must parse, a CSV must be named .csv (its bytes prove little).
  if (bytes.includes(0)) return null;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  if (/\.json$/i.test(filename)) {
    try {
      JSON.parse(text.replace(/^\uFEFF/, ''));
      return 'application/json';
    } catch {
      return null;
    }
  }
  return /\.csv$/i.test(filename) ? 'text/csv; charset=utf-8' : null;
}

/** Checks a file staff add to the gathered data: the document types, or a CSV/JSON export. */
export function checkGatheredUpload(file: UploadedFile): { filename: string; contentType: GatheredFileType } {
  const filename = cleanFilename(file.filename);
  if (file.bytes.length > MAX_REQUEST_FILE_BYTES) throw new MamoriError('MAMORI_REQUEST_UPLOAD_TOO_LARGE', `"${filename}" is larger than 10 MB.`);
  if (file.bytes.length === 0) throw new MamoriError('MAMORI_REQUEST_UPLOAD_TYPE', `"${filename}" is empty.`);
  const contentType = sniffFileType(file.bytes) ?? textExportType(filename, file.bytes);
  if (!contentType) throw new MamoriError('MAMORI_REQUEST_UPLOAD_TYPE', `"${filename}" is not a PDF, PNG, JPEG, CSV (UTF-8) or JSON file.`);
  return { filename, contentType };
}
