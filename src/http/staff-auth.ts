import type { preHandlerAsyncHookHandler, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { html, type SafeHtml } from './html.ts';

/** Staff roles. admin: everything; officer: decides requests, publishes, incidents; staff: handles requests; auditor: reads the audit log and records. */
export type StaffRole = 'admin' | 'officer' | 'staff' | 'auditor';
export const staffRoles: readonly StaffRole[] = ['admin', 'officer', 'staff', 'auditor'];

export interface StaffPrincipal {
  id: string;
  email: string;
  role: StaffRole;
  /** How they authenticated: a console session or an API key. */
  via: 'session' | 'api_key';
}

declare module 'fastify' {
  interface FastifyRequest {
    staff?: StaffPrincipal;
  }
}

/**
 * Console pages: requires a signed-in staff session with one of `roles` (all roles when omitted) and, on
 * state-changing methods, a valid CSRF token. Sets `request.staff`. (Placeholder: the staff domain fills this in.)
 */
export function requireStaff(_ctx: AppContext, _roles?: readonly StaffRole[]): preHandlerAsyncHookHandler {
  return async () => {
    throw new Error('requireStaff: not built yet');
  };
}

/** Staff JSON API: requires `Authorization: Bearer <api key>` with one of `roles`. Sets `request.staff`. (Placeholder.) */
export function requireApiKey(_ctx: AppContext, _roles?: readonly StaffRole[]): preHandlerAsyncHookHandler {
  return async () => {
    throw new Error('requireApiKey: not built yet');
  };
}

/** The hidden CSRF field every console form must include. (Placeholder.) */
export function csrfField(_request: FastifyRequest): SafeHtml {
  return html``;
}

/** The console frame (navigation by role, sign-out form). (Placeholder: renders a bare page.) */
export function renderConsolePage(request: FastifyRequest, opts: { title: string; body: SafeHtml }): string {
  return `<!doctype html><html lang="ja"><title>${opts.title}</title><main>${opts.body.value}</main></html>`;
}
