import type { Migration } from 'kysely';

/** Migrations of the requests domain, named with the domain's number range so the order is global and stable. */
export const requestMigrations: Record<string, Migration> = {};
