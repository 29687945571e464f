import type { Migration } from 'kysely';

/** Migrations of the consent domain, named with the domain's number range so the order is global and stable. */
export const consentMigrations: Record<string, Migration> = {};
