/**
 * Content-Security-Policy of the privacy center and console pages: no script runs on them, they cannot be framed
 * (clickjacking), and their forms post only to this server.
 */
export const PAGE_CSP = "default-src 'self'; script-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";
