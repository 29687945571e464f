/**
 * One registry of stable error codes. Each code has the HTTP status it maps to and a message a person can read.
 * Domain modules throw `MamoriError`s with these codes; the HTTP layer turns them into `{ error: { code, message } }`.
 * Add codes to the section of your domain; never reuse or rename a published code.
 */
export const errorCodes = {
  // general / HTTP edge
  MAMORI_BAD_REQUEST: { status: 400, message: 'The request is malformed.' },
  MAMORI_VALIDATION_FAILED: { status: 400, message: 'Some fields are missing or invalid.' },
  MAMORI_NOT_FOUND: { status: 404, message: 'Not found.' },
  MAMORI_PAYLOAD_TOO_LARGE: { status: 413, message: 'The upload or body is too large.' },
  MAMORI_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'This content type is not accepted.' },
  MAMORI_RATE_LIMITED: { status: 429, message: 'Too many attempts. Please wait and try again.' },
  MAMORI_URI_TOO_LONG: { status: 414, message: 'The address is too long.' },
  MAMORI_DATABASE_UNAVAILABLE: { status: 503, message: 'The database is briefly unavailable. Please try again in a few seconds.' },
  MAMORI_SHUTTING_DOWN: { status: 503, message: 'The server is restarting. Please try again in a few seconds.' },
  MAMORI_INTERNAL: { status: 500, message: 'Something went wrong on our side.' },
  MAMORI_CONFIG_INVALID: { status: 500, message: 'The server configuration is invalid.' },
  // policy
  MAMORI_POLICY_INVALID: { status: 400, message: 'The policy file is invalid.' },
  MAMORI_POLICY_LINT_FAILED: { status: 400, message: 'The policy has lint errors.' },
  MAMORI_POLICY_VERSION_NOT_FOUND: { status: 404, message: 'No policy version with this id.' },
  MAMORI_POLICY_VERSION_EXISTS: { status: 409, message: 'A version with this content or date already exists.' },
  MAMORI_LANG_UNSUPPORTED: { status: 400, message: 'The language must be ja or en.' },
  // auth / staff (issue 3)
  MAMORI_AUTH_REQUIRED: { status: 401, message: 'Please sign in.' },
  MAMORI_AUTH_FAILED: { status: 401, message: 'The email or password is incorrect.' },
  MAMORI_FORBIDDEN: { status: 403, message: 'Your role does not allow this action.' },
  MAMORI_CSRF_INVALID: { status: 403, message: 'The form has expired or was not sent from this site. Please reload and try again.' },
  MAMORI_API_KEY_INVALID: { status: 401, message: 'The API key is missing or invalid.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCodes;

/** Codes other modules register at load time (kept separate so domains do not edit one shared list). */
const extraCodes = new Map<string, { status: number; message: string }>();

/** Registers a domain's codes. Call at module top level with a `const` object; duplicates are a programming error. */
export function registerErrorCodes<T extends Record<string, { status: number; message: string }>>(codes: T): T {
  for (const [code, spec] of Object.entries(codes)) {
    if (code in errorCodes || (extraCodes.has(code) && extraCodes.get(code) !== spec)) {
      throw new Error(`error code registered twice: ${code}`);
    }
    extraCodes.set(code, spec);
  }
  return codes;
}

export function errorSpec(code: string): { status: number; message: string } {
  return (errorCodes as Record<string, { status: number; message: string }>)[code] ?? extraCodes.get(code) ?? errorCodes.MAMORI_INTERNAL;
}

/** An expected failure with a stable code. `message` overrides the registry text with a more precise one. */
export class MamoriError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: unknown;
  constructor(code: string, message?: string, details?: unknown) {
    const spec = errorSpec(code);
    super(message ?? spec.message);
    this.name = 'MamoriError';
    this.code = code;
    this.status = spec.status;
    this.details = details;
  }
}

export function isMamoriError(value: unknown): value is MamoriError {
  return value instanceof MamoriError;
}
