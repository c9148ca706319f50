import type { AuditEntry } from '../../state/index.js';

const COLUMNS = [
  'appliedAt',
  'type',
  'kind',
  'status',
  'objectId',
  'username',
  'target',
  'reason',
  'causeType',
  'causeId',
  'runId',
  'actor',
  'receivedAt',
  'eventTime',
  'latencyMs',
  'eventLatencyMs',
  'dryRun',
  'detail',
  'error',
  'residual',
  'id',
] as const;

/**
 * Audit records as RFC 4180 CSV for auditors. Text cells that a spreadsheet would run as a formula
 * (`=`, `+`, `-`, `@`, tab, CR first) get a leading `'` (OWASP CSV injection): names and reasons
 * partly come from Entra, which anyone who can edit a display name controls.
 */
export function auditCsv(records: readonly AuditEntry[]): string {
  const lines = [COLUMNS.join(',')];
  for (const record of records) {
    const cells: Record<(typeof COLUMNS)[number], unknown> = {
      appliedAt: new Date(record.appliedAt).toISOString(),
      type: record.type,
      kind: record.kind,
      status: record.status,
      objectId: record.objectId,
      username: record.username,
      target: record.target,
      reason: record.reason,
      causeType: record.cause?.type,
      causeId: record.cause?.id,
      runId: record.runId,
      actor: record.actor,
      receivedAt: record.receivedAt === undefined ? undefined : new Date(record.receivedAt).toISOString(),
      eventTime: record.eventTime === undefined ? undefined : new Date(record.eventTime).toISOString(),
      latencyMs: record.latencyMs,
      eventLatencyMs: record.eventLatencyMs,
      dryRun: record.dryRun,
      detail: record.detail,
      error: record.error?.message,
      residual: record.residual === undefined ? undefined : JSON.stringify(record.residual),
      id: record.id,
    };
    lines.push(COLUMNS.map((column) => cell(cells[column])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
