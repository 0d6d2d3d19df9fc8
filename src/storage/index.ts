export { openDatabase, providerOf, type Database, type Db, type Tx } from './database';
export { PrismaBotStorage, ETagConflictError } from './bot-state';
export { Leases, LeaseHold, LeaseLostError, instanceId } from './leases';
export { isUniqueViolation } from './errors';
export type { Provider } from './schema-engine';
