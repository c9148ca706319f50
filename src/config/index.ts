export { ConfigError, type ConfigIssue } from './configError.js';
export { type Config, ConfigSchema, deriveLifecycleUrl, type GraphCredential } from './configSchema.js';
export { type DurationResult, formatDuration, parseDuration } from './duration.js';
export { type ConfigResult, formatPath, loadConfig, safeLoadConfig } from './loadConfig.js';
export { type NcrontabResult, parseNcrontab } from './ncrontab.js';
export type { CaCert } from './primitives.js';
export { Secret } from './secret.js';
export type { Requirement, SettingMeta } from './setting.js';
export { SETTING_KEYS, SETTINGS, type SettingKey } from './settings.js';
export { type CatalogEntry, settingsCatalog } from './settingsCatalog.js';
export {
  readMarkerBlock,
  renderSettingsTable,
  replaceMarkerBlock,
  SETTINGS_END,
  SETTINGS_START,
  tableCells,
} from './settingsTable.js';
export type { StorageConfig } from './storage.js';
export { type SyncMapping, SyncMappingSchema, type TeamMapping, type TeamPermission } from './syncMapping.js';
