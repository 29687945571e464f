import type { Migration } from 'kysely';

/** Migrations of the connectors domain, named with the domain's number range so the order is global and stable. */
export const connectorMigrations: Record<string, Migration> = {};
