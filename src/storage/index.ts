export { openDatabase, providerOf, type Database, type Db, type Tx } from './database';
export { StatementCounter, labelStatements } from './instrument';
export { PrismaBotStorage, ETagConflictError, conversationStateKey } from './bot-state';
export { Leases, LeaseHold, LeaseLostError, instanceId } from './leases';
export { isUniqueViolation } from './errors';
export type { Provider } from './schema-engine';
export { TurnWork, hotSqlOf, type ConversationFacts, type HotSql, type SqlStatement, type SqlWrite } from './hot-sql';
