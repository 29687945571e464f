import { createStaffUser } from '../../src/staff/staff-users.ts';
import { createStaffSession, csrfTokenFor, hashToken } from '../../src/staff/staff-sessions.ts';
import { createApiKey } from '../../src/staff/api-keys.ts';
import { staffRoles, type StaffRole } from '../../src/staff/staff-permissions.ts';
import type { CatalogRoute } from '../../src/http/route-catalog.ts';
import type { RunningServer } from '../../src/server.ts';

/** A console session (cookie + CSRF token) and an API key for every role. */
export interface RoleCredentials {
  newSession(): Promise<{ cookie: string; csrf: string }>;
  apiKey: string;
}

export async function credentialsForEveryRole(server: RunningServer): Promise<Record<StaffRole, RoleCredentials>> {
  const { store, clock, config } = server.ctx;
  const out: Partial<Record<StaffRole, RoleCredentials>> = {};
  for (const role of staffRoles) {
    const user = await createStaffUser(store.db, clock, { email: `${role}@example.jp`, role, password: 'correct horse battery staple', actor: 'cli' });
    const { key } = await createApiKey(store.db, clock, { name: `${role} key`, role, actor: 'cli' });
    out[role] = {
      apiKey: key,
      async newSession() {
        const { token } = await createStaffSession(store.db, clock, user.id);
        return { cookie: `mamori_staff=${token}`, csrf: csrfTokenFor(config.secret, hashToken(token)) };
      },
    };
  }
  return out as Record<StaffRole, RoleCredentials>;
}

/** A concrete path for a declared route: every `:param` gets `value`. */
export function concretePath(route: CatalogRoute, value = 'zz_missing_1'): string {
  return route.url.replace(/:[A-Za-z_]+/g, encodeURIComponent(value)).replace(/\*$/, 'x');
}

export function errorCodeOf(json: unknown): string | undefined {
  if (!json || typeof json !== 'object' || !('error' in json)) return undefined;
  const e = json.error;
  return e && typeof e === 'object' && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}
