import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { recordsConsoleAccess } from './records-console-kit.ts';
import { provisionRecordPages } from './provision-records-pages.ts';
import { incidentConsolePages } from './incident-console-pages.ts';
import { statisticsConsolePages } from './statistics-console-pages.ts';
import { revisionAndAuditPages } from './revision-audit-pages.ts';
import { recordsPublicPages } from './records-public-pages.ts';

export { barChart } from './records-console-kit.ts';

/** Console pages of the records domain and the two public pages (43条3項 item list, alternative incident notices). */
export async function recordsConsolePages(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const access = recordsConsoleAccess(ctx);
  provisionRecordPages(app, ctx, access);
  incidentConsolePages(app, ctx, access);
  statisticsConsolePages(app, ctx, access);
  revisionAndAuditPages(app, ctx, access);
  recordsPublicPages(app, ctx, access);
}
