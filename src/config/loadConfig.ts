import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from './configError.js';
import { type Config, ConfigSchema } from './configSchema.js';
import { SETTING_KEYS } from './settings.js';

export type ConfigResult = { ok: true; config: Config } | { ok: false; issues: readonly ConfigIssue[] };

/** `['SYNC_MAPPING', 'teams', 3, 'team']` → `SYNC_MAPPING.teams[3].team`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) => {
      if (typeof part === 'number') return `[${part}]`;
      const name = String(part);
      if (index === 0) return name;
      return /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
    })
    .join('');
}

function toIssues(error: z.ZodError): ConfigIssue[] {
  const order = (key: string) => {
    const index = SETTING_KEYS.indexOf(key as (typeof SETTING_KEYS)[number]);
    return index < 0 ? SETTING_KEYS.length : index;
  };
  return error.issues
    .map((issue) => ({
      key: String(issue.path[0] ?? ''),
      path: formatPath(issue.path),
      message: issue.message,
    }))
    .sort((a, b) => order(a.key) - order(b.key));
}

/** Pure: reads only `env`. Expected failures come back as a value listing every problem. */
export function safeLoadConfig(env: Readonly<Record<string, string | undefined>>): ConfigResult {
  // `process.env` is an exotic object zod's record schema refuses: read a plain copy.
  const result = ConfigSchema.safeParse({ ...env });
  return result.success ? { ok: true, config: result.data } : { ok: false, issues: toIssues(result.error) };
}

/** Like `safeLoadConfig`, for start-up: throws one `ConfigError` naming every bad key. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const result = safeLoadConfig(env);
  if (!result.ok) throw new ConfigError(result.issues);
  return result.config;
}
