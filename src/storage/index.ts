export { openDatabase, providerOf, type Database, type Db, type Tx } from './database';
export { PrismaBotStorage, ETagConflictError } from './bot-state';
export type { Provider } from './schema-engine';
