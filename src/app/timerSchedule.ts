import { SETTINGS } from '../config/index.js';

type ScheduleKey = 'RECONCILE_SCHEDULE' | 'CATCHUP_SCHEDULE' | 'RENEW_SCHEDULE' | 'REASSERT_SCHEDULE';

/**
 * A timer's schedule: the `%SETTING%` indirection when the setting is set (the host resolves it,
 * so the app setting rules), else the schema's default. An unset `%X%` would put the timer in
 * error on the Functions host, and these settings are optional (DESIGN §5).
 */
export function timerSchedule(
  key: ScheduleKey,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  if (env[key]?.trim()) return `%${key}%`;
  const fallback = SETTINGS[key].meta.default;
  if (!fallback) throw new Error(`${key} has no default schedule`);
  return fallback;
}
