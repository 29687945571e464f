import type { Migration } from 'kysely';

/** Migrations of the records domain, named with the domain's number range so the order is global and stable. */
export const recordMigrations: Record<string, Migration> = {};
