export * from './schema';
export { formatPath, ledgerFormatOf, parseLedger, readLedgerFile, validateLedger } from './parse-ledger';
export type { LedgerFormat, LedgerParseResult } from './parse-ledger';
export { serializeLedger } from './serialize-ledger';
