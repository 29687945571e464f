import type { AppContext } from '../context.ts';
import { requestRateLimitsFromEnv, type RequestRateLimits } from './rate-limit.ts';
import { createRequestContext } from './request-context.ts';
import { createDecisionStage } from './request-decision.ts';
import { createDeliveryStage } from './request-delivery.ts';
import { createFeeStage } from './request-fees.ts';
import { createFilingStage } from './request-filing.ts';
import { createGatheringStage } from './request-gathering.ts';
import { createIdentityStage } from './request-identity.ts';
import type { RequestService, RequestServiceDeps } from './request-service-api.ts';
import { createStaffEntryStage } from './request-staff-entry.ts';
import { createStaffViewStage } from './request-staff-views.ts';
import { createStaffWorkStage } from './request-staff-work.ts';

/*
 * The request workflow (本人請求, APPI 32–39条) is split by stage; this module is the façade the HTTP layer and the
 * CLI use. Where things live:
 *   request-inputs.ts       the inputs, parsed with zod at the edge and again here
 *   request-views.ts        what the requester and staff see (types)
 *   request-state.ts        the states and the one table of allowed transitions
 *   request-context.ts      the shared context: load, record (timeline + audit), move state, mail, hooks
 *   request-checks.ts       email, delivery, agent and assertion checks; the email-confirmed step
 *   request-filing.ts       filing, code, confirmation, the requester's view, withdrawal, documents
 *   request-staff-entry.ts  staff-entered requests, documents, identity confirmation, 37条 ending
 *   request-identities.ts   verified identifiers versus claims (pure); request-identity.ts confirms and resolves
 *   request-fees.ts         the fee (38条): marked paid, or paid through the provider's webhook
 *   request-gathering.ts    the person's data gathered by hand and from systems
 *   request-decision.ts     the decision with grounds and reasons (33–36条)
 *   request-delivery.ts     delivery (package or letter), downloads, closing
 *   request-staff-views.ts  the queue and the staff views, every view recorded
 *   request-staff-work.ts   assignee and internal notes; request-staff-alerts.ts mails staff (new, due soon, silent hooks)
 */
export * from './request-inputs.ts';
export * from './request-views.ts';
export type { CallerMeta, RequestService, RequestServiceDeps } from './request-service-api.ts';
export { downloadUrlFor, statusUrlFor } from './request-rows.ts';
export type { ClaimCheck, IdentityClaim, IdentityPicture, IdentifierSource, TrustedIdentifier } from './request-identities.ts';

export function createRequestService(deps: RequestServiceDeps): RequestService {
  const ctx = createRequestContext(deps);
  return {
    ...createFilingStage(ctx),
    ...createStaffEntryStage(ctx),
    ...createIdentityStage(ctx),
    ...createFeeStage(ctx),
    ...createGatheringStage(ctx),
    ...createDecisionStage(ctx),
    ...createDeliveryStage(ctx),
    ...createStaffViewStage(ctx),
    ...createStaffWorkStage(ctx),
  };
}

/** Shares one service per app context (the JSON API and the HTML pages use the same). */
const perContext = new WeakMap<object, RequestService>();
/** Rate limits default to MAMORI_REQUEST_LIMITS (see rate-limit.ts) over the built-in ones. */
export function requestServiceFor(ctx: Pick<AppContext, 'store' | 'clock' | 'config' | 'policy' | 'requestHooks'> & Partial<Pick<AppContext, 'read'>>, limits?: Partial<RequestRateLimits>): RequestService {
  let s = perContext.get(ctx);
  if (!s) {
    s = createRequestService({ store: ctx.store, ...(ctx.read ? { read: ctx.read } : {}), clock: ctx.clock, config: ctx.config, policy: ctx.policy.policy, hooks: ctx.requestHooks, limits: limits ?? requestRateLimitsFromEnv(process.env) });
    perContext.set(ctx, s);
  }
  return s;
}
