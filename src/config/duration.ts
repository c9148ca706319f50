export type DurationResult = { ok: true; ms: number } | { ok: false; reason: string };

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: SECOND, m: MINUTE, h: HOUR, d: DAY };
const UNIT_TERM = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
// .NET TimeSpan as the Functions host writes it: [d.]hh:mm:ss[.fffffff]
const TIME_SPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/;

export const DURATION_FORMS =
  'milliseconds (60000), units (100ms, 60s, 2m, 1h, 1h30m, 7d) or a TimeSpan (hh:mm:ss)';

/** Parses `60000`, `100ms`, `60s`, `2m`, `1h30m`, `24h`, `7d`, `00:01:00` or `1.00:00:00` into milliseconds. */
export function parseDuration(text: string): DurationResult {
  const value = text.trim().toLowerCase();
  if (/^\d+$/.test(value)) return whole(Number(value));
  const span = TIME_SPAN.exec(value);
  if (span) return parseTimeSpan(span);
  if (value.length > 0 && /^[\d.]/.test(value)) {
    UNIT_TERM.lastIndex = 0;
    let total = 0;
    let match = UNIT_TERM.exec(value);
    while (match) {
      total += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? Number.NaN);
      // Decimal units such as 0.29s carry float noise; a nanosecond's tolerance removes it.
      if (UNIT_TERM.lastIndex === value.length)
        return whole(Math.abs(total - Math.round(total)) < 1e-6 ? Math.round(total) : total);
      match = UNIT_TERM.exec(value);
    }
  }
  return { ok: false, reason: `is not a duration; use ${DURATION_FORMS}` };
}

function parseTimeSpan(span: RegExpExecArray): DurationResult {
  const [, days, hours, minutes, seconds, fraction] = span;
  const h = Number(hours);
  const m = Number(minutes);
  const s = Number(seconds);
  // .NET reads `24:00:00` as 24 days, a classic trap: refuse it instead of guessing.
  if (h > 23 || m > 59 || s > 59) {
    return {
      ok: false,
      reason:
        'is not a valid TimeSpan: hours 0-23, minutes and seconds 0-59 (use 1.00:00:00 or 24h for a day)',
    };
  }
  const fractionMs = fraction ? Number(`${fraction.padEnd(3, '0').slice(0, 3)}.${fraction.slice(3)}0`) : 0;
  return whole(Number(days ?? 0) * DAY + h * HOUR + m * MINUTE + s * SECOND + fractionMs);
}

function whole(ms: number): DurationResult {
  if (!Number.isSafeInteger(ms)) return { ok: false, reason: 'must be a whole number of milliseconds' };
  return { ok: true, ms };
}

export function formatDuration(ms: number): string {
  const units: [string, number][] = [
    ['d', DAY],
    ['h', HOUR],
    ['m', MINUTE],
    ['s', SECOND],
  ];
  for (const [unit, size] of units) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
