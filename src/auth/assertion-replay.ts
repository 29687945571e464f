import { createHash } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { MamoriError, registerErrorCodes } from '../errors.ts';
import type { DbOrTrx } from '../store/store.ts';
import { verifyAssertion } from './signed-assertion.ts';

export const assertionReplayErrors = registerErrorCodes({
  MAMORI_REQUEST_ASSERTION_USED: { status: 401, message: 'This sign-in confirmation from the service was already used. Please sign in again.' },
});

/**
 * Makes a signed assertion one-time: the first use stores a digest of the whole token until the assertion expires;
 * a second use is refused (MAMORI_REQUEST_ASSERTION_USED). An assertion that does not verify is left alone (the
 * caller refuses it with its own reason). Expired digests are deleted as uses come in.
 * @example await consumeAssertion(db, clock, secret, body.assertion); // then file or verify with it
 */
export async function consumeAssertion(db: DbOrTrx, clock: Clock, secret: string | undefined, token: string | undefined): Promise<void> {
  if (!token) return;
  const checked = verifyAssertion(token, secret, clock);
  if (!checked.ok) return;
  const now = clock.now().toISOString();
  const digest = createHash('sha256').update(token).digest('base64url');
  await db.deleteFrom('assertion_uses').where('expires_at', '<', now).execute();
  const inserted = await db
    .insertInto('assertion_uses')
    .values({ digest, expires_at: new Date(checked.payload.exp * 1000 + 60_000).toISOString() })
    .onConflict((oc) => oc.column('digest').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) throw new MamoriError('MAMORI_REQUEST_ASSERTION_USED');
}
