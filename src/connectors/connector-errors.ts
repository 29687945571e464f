import { registerErrorCodes } from '../errors.ts';

export const connectorErrors = registerErrorCodes({
  MAMORI_GRAPH_INVALID: { status: 500, message: 'The dataset graph file is invalid.' },
  MAMORI_CONNECTOR_URL_MISSING: { status: 500, message: 'A dataset connection URL environment variable is not set.' },
  MAMORI_CONNECTOR_TASK_NOT_FOUND: { status: 404, message: 'No such connector task.' },
  MAMORI_CONNECTOR_TASK_CLOSED: { status: 409, message: 'The task is already closed.' },
  MAMORI_CONNECTOR_WAIVE_REASON: { status: 400, message: 'Waiving a task needs a reason.' },
  MAMORI_CONNECTOR_SIGNATURE: { status: 401, message: 'The callback signature is missing, stale or wrong.' },
  MAMORI_CONNECTOR_DONE_NOTE: { status: 400, message: 'Marking a system done by hand needs a note of how completion was confirmed.' },
  MAMORI_CONNECTOR_NOT_AWAITING: { status: 409, message: 'The system is not waiting for a callback right now; reload and try again.' },
  MAMORI_CONNECTOR_CALLBACK_LATE: { status: 409, message: 'This step was already resolved by staff; the callback was not recorded.' },
  MAMORI_CONNECTOR_RUN_NOT_FOUND: { status: 404, message: 'No such connector run.' },
  // Erasure step failures (stored on the run's step; the status applies when one reaches the API as an error).
  MAMORI_ERASE_CASCADE: { status: 409, message: 'The erasure was refused before anything changed: a delete would change or be blocked by other people’s rows through foreign keys.' },
  MAMORI_ERASE_TRIGGERS: { status: 409, message: 'The erasure was refused before anything changed: it fires application triggers the graph does not acknowledge.' },
  MAMORI_MASK_UNIQUE: { status: 409, message: 'No free masked value was found for a unique column (the column is too short to mask uniquely); nothing was changed.' },
});
