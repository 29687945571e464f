import type { Migration } from 'kysely';

/** Migrations of the staff domain (range 01xx). */
export const staffMigrations: Record<string, Migration> = {};
