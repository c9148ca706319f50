export { AuditBlob } from './auditBlob.js';
export { AuditLog } from './auditLog.js';
export {
  type AuditEntry,
  type AuditRecord,
  AuditRecordSchema,
  auditRecordOfOutcome,
  type OutcomeContext,
} from './auditRecord.js';
export { type AuditQuery, AuditTable } from './auditTable.js';
export {
  type ChangeKind,
  type ChangeMessage,
  type ChangeMessageInput,
  ChangeMessageSchema,
  MessageSourceSchema,
  parseChangeMessage,
} from './changeMessage.js';
export { ChangeQueue, type Enqueued, type PoisonEntry, TRUNCATE_BYTES } from './changeQueue.js';
export { type Cursor, CursorStore } from './cursorStore.js';
export {
  ConcurrencyError,
  HeldActionError,
  IdentityConflictError,
  InvalidMessageError,
  LeaseBusyError,
  StateStoreError,
  StorageSetupError,
} from './errors.js';
export { type FailureRecord, FailureStore } from './failureStore.js';
export { type GroupSize, GroupSizeStore } from './groupSizeStore.js';
export { HeldActions, type HeldRecord, type HeldStatus } from './heldActions.js';
export { prefixedStorageNames, STORAGE_NAMES, type StorageNames, type TableName } from './names.js';
export { type RunFinish, type RunRecord, type RunStatus, RunStore } from './runStore.js';
export { MAX_SETTING_CHARS, type PauseState, SettingsStore } from './settingsStore.js';
export { createStateStores, type StateStores } from './stateStores.js';
export { type StorageClientOptions, StorageClients } from './storageClients.js';
export { type SubscriptionRecord, SubscriptionStore } from './subscriptionStore.js';
export { TableBudget } from './tableBudget.js';
export { type LeaseOptions, TableLeases } from './tableLeases.js';
export { TableStateStore, type TableStateStoreOptions } from './tableStateStore.js';
export { utcDay, utcDaysBetween } from './utcDay.js';
