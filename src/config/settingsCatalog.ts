import type { Requirement } from './setting.js';
import { SETTING_KEYS, SETTINGS, type SettingKey } from './settings.js';

export interface CatalogEntry {
  readonly key: SettingKey;
  readonly description: string;
  readonly requirement: Requirement;
  readonly secret: boolean;
  /** The literal default, as written in the environment; undefined when there is none. */
  readonly default: string | undefined;
  /** A default computed from other settings, described in words. */
  readonly derivedDefault: string | undefined;
}

/** Machine-readable list of every setting, derived from the schema's own definitions. */
export const settingsCatalog: readonly CatalogEntry[] = SETTING_KEYS.map((key) => {
  const { meta } = SETTINGS[key];
  return {
    key,
    description: meta.description,
    requirement: meta.requirement,
    secret: meta.secret,
    default: meta.default,
    derivedDefault: meta.derivedDefault,
  };
});
