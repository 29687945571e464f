import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { assertIpUploadAllowance, chargeUploadBytes, filingByteBudget, uploadQuotasFromEnv } from '../requests/upload-quota.ts';
import type { ByteBudget } from './multipart-form.ts';

/**
 * The guard on uploads from people who are not signed in (privacy center and requester API): an address with no
 * allowance left is refused before its body is read; the body's files are capped while read; the bytes are charged
 * to the address and the email before anything is stored.
 */
export function anonymousUploads(ctx: AppContext): {
  read<T>(request: FastifyRequest, reader: (budget: ByteBudget) => Promise<T>): Promise<T>;
  charge(request: FastifyRequest, email: string | undefined, files: ReadonlyArray<{ bytes: Buffer }>): Promise<void>;
} {
  const quotas = uploadQuotasFromEnv(process.env);
  const { store, clock, config } = ctx;
  return {
    async read(request, reader) {
      await assertIpUploadAllowance(store.db, clock, config.secret, quotas, request.ip);
      return reader(filingByteBudget(quotas));
    },
    async charge(request, email, files) {
      const bytes = files.reduce((n, f) => n + f.bytes.length, 0);
      await chargeUploadBytes(store.db, clock, config.secret, quotas, { ip: request.ip, email }, bytes);
    },
  };
}
