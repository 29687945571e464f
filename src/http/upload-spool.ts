import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { MamoriError, registerErrorCodes } from '../errors.ts';
import { MAX_REQUEST_FILE_BYTES } from '../requests/request-uploads.ts';
import type { ByteBudget } from './multipart-form.ts';

export const uploadSpoolErrors = registerErrorCodes({
  MAMORI_STORAGE_FULL: { status: 507, message: 'The server has no room to store the files right now. Nothing was stored; please try again later.' },
});

/**
 * One uploaded file while its request is handled: on disk under the spool directory, encrypted with a random key that
 * exists only in this object (a file left behind by a crash cannot be read, and is deleted at the next start).
 */
export interface SpooledFile {
  field: string;
  filename: string;
  size: number;
  readonly path: string;
  readonly key: Buffer;
  readonly iv: Buffer;
}

/** A multipart body read with its files on disk. `tooLarge` lists fields whose file passed the per-file cap. */
export interface SpooledForm {
  fields: Record<string, string>;
  files: SpooledFile[];
  tooLarge: string[];
}

export interface UploadSpool {
  readonly dir: string;
  /**
   * Reads a multipart body part by part; each file goes to disk as it arrives (counted through `budget`, so reading
   * stops at the first chunk over the cap). Nothing is left on disk when reading fails. `oversize`: `note` lists a
   * file over 10 MB in `tooLarge` (a page explains it); `refuse` fails with MAMORI_REQUEST_UPLOAD_TOO_LARGE.
   */
  read(request: FastifyRequest, opts: { budget: ByteBudget; oversize: 'note' | 'refuse' }): Promise<SpooledForm>;
  /**
   * The files' bytes for `fn` (to check and store them). At most one caller holds spooled bytes in memory at a time,
   * so memory stays at one filing's files whatever the number of uploads in flight.
   */
  withBytes<T>(files: readonly SpooledFile[], fn: (files: Array<{ field: string; filename: string; bytes: Buffer }>) => Promise<T>): Promise<T>;
  /** Deletes the files (always call it once the request is answered). */
  discard(files: readonly SpooledFile[]): Promise<void>;
  /** Bytes held in memory by `withBytes` right now and at most since start (for tests and operators). */
  stats(): { bytesInMemory: number; peakBytesInMemory: number };
}

function storageError(err: unknown): unknown {
  const code = err instanceof Error && 'code' in err ? err.code : undefined;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new MamoriError('MAMORI_STORAGE_FULL');
  return err;
}

/** Counts each chunk through the budget and the per-file cap before it is written. */
function counter(budget: ByteBudget, onChunk: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      try {
        budget.add(chunk.length);
        onChunk(chunk.length);
        done(null, chunk);
      } catch (err) {
        done(err instanceof Error ? err : new Error('upload refused'));
      }
    },
  });
}

/**
 * The spool of anonymous uploads under `dir` (created if missing; files left by an earlier process are removed).
 * @example const spool = createUploadSpool(join(config.dataDir, 'upload-spool'));
 */
export function createUploadSpool(dir: string): UploadSpool {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const name of readdirSync(dir)) if (name.endsWith('.part')) rmSync(join(dir, name), { force: true });
  let bytesInMemory = 0;
  let peakBytesInMemory = 0;
  let turn: Promise<unknown> = Promise.resolve();

  async function discard(files: readonly SpooledFile[]): Promise<void> {
    await Promise.all(files.map((f) => rm(f.path, { force: true })));
  }

  async function spoolPart(field: string, filename: string, stream: NodeJS.ReadableStream & { truncated?: boolean }, budget: ByteBudget): Promise<SpooledFile> {
    const key = randomBytes(32);
    const iv = randomBytes(16);
    const file: SpooledFile = { field, filename, size: 0, path: join(dir, `${randomBytes(12).toString('hex')}.part`), key, iv };
    try {
      await pipeline(stream, counter(budget, (n) => (file.size += n)), createCipheriv('aes-256-ctr', key, iv), createWriteStream(file.path, { flags: 'wx', mode: 0o600 }));
      return file;
    } catch (err) {
      await rm(file.path, { force: true });
      throw storageError(err);
    }
  }

  async function readBack(file: SpooledFile): Promise<Buffer> {
    const handle = await open(file.path, 'r');
    try {
      const sealed = Buffer.allocUnsafe(file.size);
      let at = 0;
      while (at < file.size) {
        const { bytesRead } = await handle.read(sealed, at, file.size - at, at);
        if (bytesRead === 0) throw new Error('spooled upload is shorter than written');
        at += bytesRead;
      }
      // CTR keeps the length: decrypting in place leaves one copy of the file in memory.
      const decipher = createDecipheriv('aes-256-ctr', file.key, file.iv);
      const plain = decipher.update(sealed);
      decipher.final();
      return plain;
    } finally {
      await handle.close();
    }
  }

  return {
    dir,
    async read(request, { budget, oversize }) {
      const fields: Record<string, string> = {};
      const files: SpooledFile[] = [];
      const tooLarge: string[] = [];
      if (!request.isMultipart()) {
        // A form posted urlencoded has no files.
        const body = request.body;
        if (body && typeof body === 'object') for (const [k, v] of Object.entries(body)) if (typeof v === 'string') fields[k] = v;
        return { fields, files, tooLarge };
      }
      try {
        const options = { limits: { fileSize: MAX_REQUEST_FILE_BYTES, files: 10, fields: 60 }, throwFileSizeLimit: false };
        for await (const part of request.parts(options)) {
          if (part.type === 'file') {
            const spooled = await spoolPart(part.fieldname, part.filename, part.file, budget);
            if (part.file.truncated) {
              await discard([spooled]);
              if (oversize === 'refuse') throw new MamoriError('MAMORI_REQUEST_UPLOAD_TOO_LARGE');
              tooLarge.push(part.fieldname);
            } else if (oversize === 'note' ? !part.filename || spooled.size === 0 : !part.filename && spooled.size === 0) {
              // A browser sends an empty file input as a part without a name; the API keeps a named empty file, so
              // the check can say it is empty.
              await discard([spooled]);
            }
            else files.push(spooled);
          } else if (typeof part.value === 'string') {
            if (part.value.includes('\u0000')) throw new MamoriError('MAMORI_BAD_REQUEST', 'A field contains a NUL character, which is not accepted.');
            fields[part.fieldname] = part.value;
          }
        }
      } catch (err) {
        await discard(files);
        if (err instanceof Error && 'code' in err && typeof err.code === 'string' && /^FST_(FILES|FIELDS|PARTS)_LIMIT$/.test(err.code)) {
          throw new MamoriError('MAMORI_BAD_REQUEST', 'Too many files or fields in one request (at most 10 files).');
        }
        throw err;
      }
      return { fields, files, tooLarge };
    },

    async withBytes(files, fn) {
      if (files.length === 0) return fn([]);
      const run = turn.then(async () => {
        const total = files.reduce((n, f) => n + f.size, 0);
        bytesInMemory += total;
        peakBytesInMemory = Math.max(peakBytesInMemory, bytesInMemory);
        try {
          const loaded = [];
          for (const f of files) loaded.push({ field: f.field, filename: f.filename || 'file', bytes: await readBack(f) });
          return await fn(loaded);
        } finally {
          bytesInMemory -= total;
        }
      });
      turn = run.catch(() => undefined);
      return run;
    },

    discard,

    stats() {
      return { bytesInMemory, peakBytesInMemory };
    },
  };
}
