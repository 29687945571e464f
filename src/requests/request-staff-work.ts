import { MamoriError } from '../errors.ts';
import { can, isStaffRole } from '../staff/staff-permissions.ts';
import { assignBody, staffNoteBody } from './request-inputs.ts';
import type { RequestService } from './request-service-api.ts';
import type { RequestContext } from './request-context.ts';
import { parseJson } from './request-rows.ts';

function noteText(data: string): string {
  const note = parseJson(data).note;
  return typeof note === 'string' ? note : '';
}

/** How staff organise their work on a request: who handles it, and internal notes (never shown to the requester). */
export function createStaffWorkStage(ctx: RequestContext): Pick<RequestService, 'assign' | 'addNote' | 'listNotes'> {
  const { store, load, record, transaction, update, clock } = ctx;

  return {
    async assign(by, id, input) {
      const { assignee } = assignBody.parse(input);
      if (assignee !== null) {
        const staff = await store.db.selectFrom('staff_users').select(['id', 'role', 'disabled']).where('id', '=', assignee).executeTakeFirst();
        if (!staff || staff.disabled === 1 || !isStaffRole(staff.role) || !can(staff.role, 'requests.handle')) {
          throw new MamoriError('MAMORI_VALIDATION_FAILED', 'Assign the request to an active staff member who handles requests.', { fields: ['assignee'] });
        }
      }
      await transaction(async (trx) => {
        const row = await load(trx, id, true);
        if ((row.assignee ?? null) === assignee) return;
        await update(trx, id, { assignee, updated_at: clock.now().toISOString() });
        await record(trx, id, by, 'assigned', { assignee });
      });
    },

    async addNote(by, id, input) {
      const { text } = staffNoteBody.parse(input);
      await transaction(async (trx) => {
        await load(trx, id, true);
        // The note lives on the timeline only; the audit chain records that a note was added, not its words.
        await record(trx, id, by, 'note_added', {}, { note: text });
      });
    },

    async listNotes(by, id) {
      // Notes may name people: reading them is a staff view of the request, on its timeline and in the audit chain.
      await transaction(async (trx) => {
        await load(trx, id, true);
        await record(trx, id, by, 'viewed');
      });
      const rows = await store.db.selectFrom('request_events').select(['n', 'at', 'actor', 'data']).where('request_id', '=', id).where('action', '=', 'note_added').orderBy('n').execute();
      return rows.map((r) => ({ n: r.n, at: r.at, actor: r.actor, text: noteText(r.data) }));
    },
  };
}
