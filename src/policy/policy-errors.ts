import { registerErrorCodes } from '../errors.ts';

/** Error codes of the published-policy domain (versions, rendering parameters). */
export const policyErrors = registerErrorCodes({
  MAMORI_POLICY_PURPOSE_CHANGE_UNCONFIRMED: {
    status: 409,
    message: 'The purposes of use changed. Confirm that the new purposes are reasonably related to the old ones (17条2項) or that consent will be collected.',
  },
  MAMORI_POLICY_EFFECTIVE_DATE_INVALID: { status: 400, message: 'The effective date must be a real date written YYYY-MM-DD, not before the latest version.' },
  MAMORI_FORMAT_UNSUPPORTED: { status: 400, message: 'The format must be html or md.' },
});
