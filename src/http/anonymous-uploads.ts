import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { assertIpUploadAllowance, chargeUploadBytes, filingByteBudget, uploadQuotasFromEnv } from '../requests/upload-quota.ts';
import { createUploadSpool, type SpooledForm, type UploadSpool } from './upload-spool.ts';

/** One spool per running app (both route modules that take anonymous uploads share it, and its one-at-a-time turn). */
const spools = new WeakMap<AppContext, UploadSpool>();

/**
 * The spool of an app's anonymous uploads: MAMORI_UPLOAD_SPOOL_DIR, else `upload-spool` in the data directory.
 * @example uploadSpoolFor(server.ctx).stats().peakBytesInMemory
 */
export function uploadSpoolFor(ctx: AppContext): UploadSpool {
  let spool = spools.get(ctx);
  if (!spool) {
    spool = createUploadSpool(process.env.MAMORI_UPLOAD_SPOOL_DIR || join(ctx.config.dataDir, 'upload-spool'));
    spools.set(ctx, spool);
  }
  return spool;
}

/**
 * The guard on uploads from people who are not signed in (privacy center and requester API): an address with no
 * allowance left is refused before its body is read; the body's files are streamed to the spool and capped while
 * read; the bytes are charged to the address and the email (atomically) before anything is stored; the bytes are
 * loaded into memory one upload at a time, only to be checked and stored; the spooled files are deleted whatever
 * the outcome.
 */
export interface AnonymousUploads {
  /** Reads the body with its files spooled, runs `handle`, then deletes the spooled files. */
  handle<T>(request: FastifyRequest, oversize: 'note' | 'refuse', handle: (form: SpooledForm) => Promise<T>): Promise<T>;
  charge(request: FastifyRequest, email: string | undefined, files: ReadonlyArray<{ size: number }>): Promise<void>;
  spool: UploadSpool;
}

export function anonymousUploads(ctx: AppContext): AnonymousUploads {
  const quotas = uploadQuotasFromEnv(process.env);
  const { store, clock, config } = ctx;
  const spool = uploadSpoolFor(ctx);
  return {
    spool,
    async handle(request, oversize, handle) {
      await assertIpUploadAllowance(store.db, clock, config.secret, quotas, request.ip);
      const form = await spool.read(request, { budget: filingByteBudget(quotas), oversize });
      try {
        return await handle(form);
      } finally {
        await spool.discard(form.files);
      }
    },
    async charge(request, email, files) {
      const bytes = files.reduce((n, f) => n + f.size, 0);
      await chargeUploadBytes(store.db, clock, config.secret, quotas, { ip: request.ip, email }, bytes);
    },
  };
}
