import { MamoriError } from '../errors.ts';
import { groundsFor, refusalGrounds } from '../law/appi/refusal-grounds.ts';
import { decidedMail } from '../mail/templates/request-mails.ts';
import './request-errors.ts';
import { assertActionAllowed, type RequestState } from './request-state.ts';
import { decisionBody, suspensionMeasureKeys, suspensionMeasures, type StoredDecision } from './request-inputs.ts';
import { decisionDelivers, decisionForMail, rowKind, rowLang, rowState, type Row } from './request-rows.ts';
import type { RequestService } from './request-service-api.ts';
import { createGatheringStage } from './request-gathering.ts';
import { suspensionGroundsFor } from '../law/appi/suspension-grounds.ts';
import type { RequestContext } from './request-context.ts';

/** The decision (33–36条): full, partial, refused with a statutory ground and reason, or an alternative measure. */
export function createDecisionStage(ctx: RequestContext): Pick<RequestService, 'decide'> {
  const { store, clock, load, record, mail, mailBase, hookInfo, runHooks, update, rowAfter, transaction, loadFor, moveTo } = ctx;
  const gathering = createGatheringStage(ctx);

  return {
    async decide(by, id, input) {
      const parsed = decisionBody.safeParse(input);
      if (!parsed.success) throw new MamoriError('MAMORI_REQUEST_DECISION_INVALID', parsed.error.issues.map((i) => `${i.path.join('.') || 'decision'}: ${i.message}`).join('; '));
      const d = parsed.data;
      const row0 = await load(store.db, id, false);
      assertActionAllowed(rowState(row0), 'decide');
      const kind = rowKind(row0);
      const allowed = groundsFor(kind);
      const groundOf = d.outcome === 'full' ? null : d.ground;
      if (groundOf) {
        if (!allowed.includes(groundOf)) throw new MamoriError('MAMORI_REQUEST_GROUND_INVALID', `Ground "${groundOf}" does not apply to ${kind} requests. Applicable: ${allowed.join(', ')}.`);
        const effect = refusalGrounds[groundOf].effect;
        if ((d.outcome === 'alternative') !== (effect === 'alternative')) {
          throw new MamoriError('MAMORI_REQUEST_GROUND_INVALID', d.outcome === 'alternative' ? 'An alternative measure needs the ground "alternative_measure".' : `Ground "${groundOf}" is for an alternative measure; use the outcome "alternative".`);
        }
      }
      const reason = d.reason?.trim() ? d.reason.trim() : null;
      if (d.outcome !== 'full' && !reason) throw new MamoriError('MAMORI_REQUEST_REASON_REQUIRED');
      const corrections = d.outcome === 'full' || d.outcome === 'partial' ? (d.corrections ?? []) : [];
      const measure = d.outcome === 'full' || d.outcome === 'partial' ? (d.measure ?? null) : null;
      const measureNote = d.outcome === 'full' || d.outcome === 'partial' ? (d.measure_note ?? null) : null;
      const change = d.outcome === 'full' || d.outcome === 'partial' ? (d.method_change ?? null) : null;
      const alternativeMeasure = d.outcome === 'alternative' ? d.alternative_measure.trim() : null;
      const acceptedGround = d.outcome === 'full' || d.outcome === 'partial' ? (d.accepted_ground ?? null) : null;
      if (acceptedGround && !suspensionGroundsFor(kind).includes(acceptedGround)) throw new MamoriError('MAMORI_REQUEST_DECISION_INVALID', `The 35条 condition "${acceptedGround}" does not apply to a ${kind} request.`);
      const accepted = d.outcome === 'full' || d.outcome === 'partial';
      if (kind === 'correction' && accepted && corrections.length === 0) throw new MamoriError('MAMORI_REQUEST_DECISION_INVALID', 'A correction decision must list what changed (field, before, after).');
      if (kind !== 'correction' && corrections.length > 0) throw new MamoriError('MAMORI_REQUEST_DECISION_INVALID', 'Corrections belong to correction requests only.');
      if ((kind === 'suspension' || kind === 'stop_provision') && accepted) {
        if (!measure) throw new MamoriError('MAMORI_REQUEST_DECISION_INVALID', `Say which measure was taken: ${suspensionMeasureKeys.filter((m) => suspensionMeasures[m].kinds.includes(kind)).join(' or ')}.`);
      }
      if (measure && !suspensionMeasures[measure].kinds.includes(kind)) throw new MamoriError('MAMORI_REQUEST_DECISION_INVALID', `The measure "${measure}" does not fit a ${kind} request.`);
      if (d.outcome === 'alternative' && !alternativeMeasure) throw new MamoriError('MAMORI_REQUEST_DECISION_INVALID', 'Describe the alternative measure taken.');
      if (change && kind !== 'disclosure') throw new MamoriError('MAMORI_REQUEST_DECISION_INVALID', 'A change of delivery method applies to disclosure only (33条3項).');
      if (change && change.to === row0.delivery) throw new MamoriError('MAMORI_REQUEST_DECISION_INVALID', 'The new delivery method is the one already chosen.');

      const willDeliver = decisionDelivers(kind, d.outcome);
      if (willDeliver && kind === 'disclosure') {
        let count = (await store.db.selectFrom('request_gathered').select((eb) => eb.fn.countAll<number>().as('n')).where('request_id', '=', id).executeTakeFirstOrThrow()).n;
        count = Number(count) + Number((await store.db.selectFrom('request_files').select((eb) => eb.fn.countAll<number>().as('n')).where('request_id', '=', id).where('purpose', '=', 'gathered').executeTakeFirstOrThrow()).n);
        if (count === 0 && ctx.deps.hooks.some((h) => h.gather)) count = await gathering.gatherFromSystems(by, id);
        if (count === 0) throw new MamoriError('MAMORI_REQUEST_NOTHING_TO_DELIVER', 'No data has been gathered. If we hold no data about the person, decide "refused" with the ground "no_retained_data" to send the notice of 33条3項.');
      }
      const stored: StoredDecision = { outcome: d.outcome, ground: groundOf, reason, corrections, measure, measureNote, ...(acceptedGround ? { acceptedGround } : {}), alternativeMeasure, methodChange: change, decidedBy: by };
      const row = await transaction(async (trx) => {
        const r = await loadFor(trx, id, 'decide');
        const now = clock.now();
        const next: RequestState = willDeliver ? 'decided' : 'notified';
        const values: Partial<Row> = { ...moveTo(r, next, now), decision_json: JSON.stringify(stored), decided_at: now.toISOString(), ...(change ? { delivery: change.to } : {}) };
        await update(trx, id, values);
        await record(trx, id, by, 'decided', { outcome: d.outcome, ground: groundOf, corrections: corrections.length, measure, alternative: alternativeMeasure !== null, method_change: change?.to ?? null, to: next });
        const after = rowAfter(r, values);
        await mail(trx, after, 'decided', decidedMail(mailBase(after), decisionForMail(stored, willDeliver, rowLang(after))));
        return after;
      });
      const info = await hookInfo(row);
      await runHooks(row, 'onDecided', (h) => h.onDecided?.(info, { outcome: d.outcome, ...(corrections.length > 0 ? { corrections } : {}) }));
    },

  };
}
