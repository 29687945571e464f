import type { CoreTables } from './core-tables.ts';
import type { RequestTables } from '../requests/request-tables.ts';
import type { ConnectorTables } from '../connectors/connector-tables.ts';
import type { ConsentTables } from '../consent/consent-tables.ts';
import type { RecordTables } from '../records/record-tables.ts';
import type { StaffTables } from '../staff/staff-tables.ts';

/** The whole schema: each domain owns its tables' types in its own folder. */
export interface Database extends CoreTables, RequestTables, ConnectorTables, ConsentTables, RecordTables, StaffTables {}
