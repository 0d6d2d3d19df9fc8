export { DataRequests, RECLAMO_ACTIONS, OPEN_DATA_REQUEST_STATUSES, type DataHeld, type DataRequestStatus, type DataRequestSummary, type ReclamoAction } from './requests';
export { DATA_REQUEST_TERMS, WITHDRAWAL_MONTHS, dataRequestTerm, extendedDueDate, withdrawalDate, type DataRequestKind } from './terms';
export { ExportLinks, registerDataExport, DATA_EXPORT_PATH, EXPORT_LINK_TTL_MS } from './export';
