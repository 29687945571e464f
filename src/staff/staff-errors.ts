import { registerErrorCodes } from '../errors.ts';

/** Error codes of the staff domain (the general auth codes live in src/errors.ts). */
export const staffErrors = registerErrorCodes({
  MAMORI_STAFF_EXISTS: { status: 409, message: 'A staff account with this email already exists.' },
  MAMORI_STAFF_NOT_FOUND: { status: 404, message: 'No staff account with this email or id.' },
  MAMORI_STAFF_INVALID: { status: 400, message: 'The staff account details are invalid.' },
  MAMORI_API_KEY_NOT_FOUND: { status: 404, message: 'No API key with this id or prefix.' },
});
