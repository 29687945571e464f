import { sql } from 'kysely';
import { MamoriError } from '../errors.ts';
import { newId, newSecretToken } from '../ids.ts';
import { deliveredMail } from '../mail/templates/request-mails.ts';
import { buildDisclosurePackage } from '../delivery/disclosure-package.ts';
import { renderPaperLetter } from '../delivery/paper-letter.ts';
import { openText, sealText } from '../delivery/sealed-bytes.ts';
import './request-errors.ts';
import { assertActionAllowed } from './request-state.ts';
import { sha256Hex } from './request-secrets.ts';
import type { DeliveryChoice } from './request-inputs.ts';
import { decisionForMail, decisionOf, downloadUrlFor, rowKind, rowLang, rowState, type Row } from './request-rows.ts';
import type { RequestService } from './request-service-api.ts';
import type { RequestContext } from './request-context.ts';

/** Delivery of a decided request (electronic package or paper letter), downloads, and closing. */
export function createDeliveryStage(ctx: RequestContext): Pick<RequestService, 'downloadPackage' | 'deliver' | 'close'> {
  const { store, clock, config, policy, load, loadByToken, record, mail, mailBase, hookInfo, update, rowAfter, transaction, loadFor, packageInput, moveTo } = ctx;

  return {
    async downloadPackage(id, secret) {
      return transaction(async (trx) => {
        // Locks the request (the timeline numbers its events); the request token is checked here, a download token
        // below against the package.
        if ('requestToken' in secret) await loadByToken(trx, id, secret.requestToken, true);
        else if (!(await trx.selectFrom('requests').select('id').where('id', '=', id).$call((q) => (store.dialect === 'postgres' ? q.forUpdate() : q)).executeTakeFirst())) {
          throw new MamoriError('MAMORI_REQUEST_TOKEN_INVALID', 'This download link is not valid.');
        }
        let pkgQuery = trx.selectFrom('request_packages').selectAll().where('request_id', '=', id).where('format', '=', 'zip').orderBy('created_at', 'desc');
        let via: string;
        if ('downloadToken' in secret) {
          pkgQuery = pkgQuery.where('download_token_hash', '=', sha256Hex(secret.downloadToken));
          via = 'link';
        } else {
          via = 'status_page';
        }
        const pkg = await pkgQuery.limit(1).executeTakeFirst();
        if (!pkg) throw new MamoriError('MAMORI_REQUEST_TOKEN_INVALID', 'This download link is not valid.');
        if (pkg.expires_at && new Date(pkg.expires_at).getTime() <= clock.now().getTime()) throw new MamoriError('MAMORI_REQUEST_DOWNLOAD_EXPIRED');
        const bytes = openText(config.secret, 'request-package', pkg.sealed);
        await trx.updateTable('request_packages').set({ download_count: sql<number>`download_count + 1` }).where('id', '=', pkg.id).execute();
        await trx.insertInto('request_downloads').values({ id: newId('rdl'), package_id: pkg.id, request_id: id, at: clock.now().toISOString(), via }).execute();
        await record(trx, id, `requester:${id}`, 'package_downloaded', { package: pkg.id, via, n: pkg.download_count + 1 });
        return { filename: `disclosure-${id}.zip`, contentType: 'application/zip', bytes };
      });
    },


    async deliver(by, id) {
      return transaction(async (trx) => {
        const r = await loadFor(trx, id, 'deliver');
        const d = decisionOf(r);
        if (!d) throw new MamoriError('MAMORI_REQUEST_NOTHING_TO_DELIVER');
        const now = clock.now();
        const input = await packageInput(trx, r, d);
        const format: DeliveryChoice = r.delivery === 'paper' || (!r.email && r.delivery !== 'electronic') ? 'paper' : 'electronic';
        const pkgId = newId('rpkg');
        let downloadToken: string | null = null;
        let bytes: Uint8Array;
        let expiresAt: string | null = null;
        if (format === 'electronic') {
          bytes = buildDisclosurePackage(input);
          downloadToken = newSecretToken();
          expiresAt = new Date(now.getTime() + config.downloadDays * 86_400_000).toISOString();
        } else {
          bytes = Buffer.from(renderPaperLetter({ lang: rowLang(r), policy, request: { id, kind: rowKind(r) }, date: now.toISOString(), addressee: r.agent_name, decision: decisionForMail(d, false, rowLang(r)), disclosure: input }));
        }
        await trx.insertInto('request_packages').values({
          id: pkgId, request_id: id, format: format === 'electronic' ? 'zip' : 'letter', created_at: now.toISOString(), expires_at: expiresAt,
          download_token_hash: downloadToken ? sha256Hex(downloadToken) : null, size: bytes.length, sha256: sha256Hex(bytes), sealed: sealText(config.secret, 'request-package', bytes), download_count: 0,
        }).execute();
        const values: Partial<Row> = { ...moveTo(r, 'delivered', now), delivered_at: now.toISOString() };
        await update(trx, id, values);
        await record(trx, id, by, 'delivered', { format: format === 'electronic' ? 'zip' : 'letter', package: pkgId, sections: input.sections.length, files: input.files.length, expires_at: expiresAt });
        const after = rowAfter(r, values);
        await mail(trx, after, 'delivered', deliveredMail(mailBase(after), downloadToken && expiresAt ? { format: 'electronic', url: downloadUrlFor(config.baseUrl, id, downloadToken), expiresOn: expiresAt } : { format: 'paper' }));
        return { format: format === 'electronic' ? ('zip' as const) : ('letter' as const), packageId: pkgId };
      });
    },

    async close(by, id) {
      const row0 = await load(store.db, id, false);
      assertActionAllowed(rowState(row0), 'close');
      const blockers: string[] = [];
      const info = await hookInfo(row0);
      for (const h of ctx.deps.hooks) if (h.blockersBeforeClose) blockers.push(...(await h.blockersBeforeClose(info)));
      if (blockers.length > 0) throw new MamoriError('MAMORI_REQUEST_CLOSE_BLOCKED', `The request cannot be closed yet: ${blockers.join('; ')}`, { blockers });
      await transaction(async (trx) => {
        const r = await loadFor(trx, id, 'close');
        await update(trx, id, { ...moveTo(r, 'closed', clock.now()), closed_at: clock.now().toISOString() });
        await record(trx, id, by, 'closed', { from: r.state });
      });
    },

  };
}
