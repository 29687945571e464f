/** Tables owned by the staff domain (accounts, sessions, API keys). Conventions: ISO-8601 UTC text times, 0/1 booleans, JSON as text. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface StaffTables {}
