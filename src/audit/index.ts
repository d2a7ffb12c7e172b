export { AUDIT_ACTIONS, latestAudit, recordAudit } from './audit-log';
export type { AuditAction, AuditEntry, AuditRow } from './audit-log';
