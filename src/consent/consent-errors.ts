import { registerErrorCodes } from '../errors.ts';

/** Stable error codes of the consent domain. */
export const consentErrors = registerErrorCodes({
  MAMORI_CONSENT_UNKNOWN_PURPOSE: { status: 400, message: 'The policy has no purpose with this id.' },
  MAMORI_CONSENT_PURPOSE_NOT_CHOOSABLE: { status: 400, message: 'This purpose is needed for the service and offers no choice.' },
  MAMORI_CONSENT_INVALID_SUBJECT: { status: 400, message: 'The subject id is invalid.' },
  MAMORI_CONSENT_INVALID_BODY: { status: 400, message: 'The consent body is invalid.' },
  MAMORI_CONSENT_SUBJECT_FORBIDDEN: { status: 403, message: 'A browser may only record choices for its own anonymous id; use an API key or a signed assertion for user ids.' },
  MAMORI_CONSENT_METHOD_FORBIDDEN: { status: 403, message: 'This recording method needs an API key.' },
  MAMORI_CONSENT_ORIGIN_FORBIDDEN: { status: 403, message: 'This origin may not record consent (see MAMORI_CORS_ORIGINS).' },
  MAMORI_CONSENT_ASSERTION_INVALID: { status: 401, message: 'The signed assertion or consent session is invalid or has expired.' },
  MAMORI_CONSENT_SESSION_EXPIRED: { status: 401, message: 'Your settings session has expired. Please open the settings again from the service.' },
  MAMORI_CONSENT_UNKNOWN_VERSION: { status: 400, message: 'This consent version was never served by this mamori; send the version consent.js showed, or leave it out for the current one.' },
  MAMORI_CONSENT_VERSION_NOT_FOUND: { status: 404, message: 'No consent version with this id.' },
  MAMORI_CONSENT_CLIENT_UNAVAILABLE: { status: 503, message: 'consent.js has not been built and could not be built now.' },
});
