/** Tables owned by the connectors domain. Conventions: ISO-8601 UTC text times, 0/1 booleans, JSON as text. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ConnectorTables {}
