const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const FIELDS = [
  { min: 0, max: 59 },
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS },
  { min: 0, max: 6, names: DAYS },
] as const;
const DAY_MS = 86_400_000;
/** Enough to see a yearly pattern; stops early once many fires are seen (frequent schedules). */
const HORIZON_DAYS = 400;
const ENOUGH_FIRES = 5_000;

/**
 * The longest gap between two fires of a six-field NCRONTAB schedule (UTC), looking ahead from
 * `from`: the watchdog calls a timer stopped when its last run is older than twice this
 * (DESIGN §3.4). The expression was validated by the config schema; an unreadable one gives undefined.
 */
export function longestGapMs(expression: string, from: number): number | undefined {
  const sets = parse(expression);
  if (!sets) return undefined;
  const [seconds, minutes, hours, days, months, weekdays] = sets;
  const start = Math.floor(from / DAY_MS) * DAY_MS;
  let previous: number | undefined;
  let longest = 0;
  let fires = 0;
  for (let day = 0; day < HORIZON_DAYS && fires < ENOUGH_FIRES; day++) {
    const date = new Date(start + day * DAY_MS);
    if (
      !days.has(date.getUTCDate()) ||
      !months.has(date.getUTCMonth() + 1) ||
      !weekdays.has(date.getUTCDay())
    ) {
      continue;
    }
    for (const hour of hours) {
      for (const minute of minutes) {
        for (const second of seconds) {
          const at = date.getTime() + ((hour * 60 + minute) * 60 + second) * 1_000;
          if (previous !== undefined) longest = Math.max(longest, at - previous);
          previous = at;
          fires++;
        }
      }
    }
  }
  return fires >= 2 ? longest : undefined;
}

type Sets = [number[], number[], number[], Set<number>, Set<number>, Set<number>];

function parse(expression: string): Sets | undefined {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 6) return undefined;
  const sets: Set<number>[] = [];
  for (const [index, field] of FIELDS.entries()) {
    const set = parseField(
      parts[index] ?? '',
      field.min,
      field.max,
      'names' in field ? field.names : undefined,
    );
    if (!set || set.size === 0) return undefined;
    sets.push(set);
  }
  const sorted = (set: Set<number> | undefined) => [...(set ?? [])].sort((a, b) => a - b);
  // Day-of-week 7 is Sunday too in some crontabs.
  const weekdays = new Set([...(sets[5] ?? [])].map((d) => d % 7));
  return [
    sorted(sets[0]),
    sorted(sets[1]),
    sorted(sets[2]),
    sets[3] ?? new Set(),
    sets[4] ?? new Set(),
    weekdays,
  ];
}

function parseField(
  text: string,
  min: number,
  max: number,
  names?: readonly string[],
): Set<number> | undefined {
  const values = new Set<number>();
  const value = (token: string) => {
    const index = names?.indexOf(token.toLowerCase()) ?? -1;
    if (index >= 0) return index + min;
    return /^\d+$/.test(token) ? Number(token) : Number.NaN;
  };
  for (const element of text.split(',')) {
    const [range = '', stepText] = element.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let first: number;
    let last: number;
    if (range === '*') {
      first = min;
      last = max;
    } else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      first = value(a);
      last = value(b);
    } else {
      first = value(range);
      last = stepText === undefined ? first : max;
    }
    if (!Number.isInteger(step) || step < 1 || Number.isNaN(first) || Number.isNaN(last)) return undefined;
    for (let v = first; v <= Math.min(last, max === 6 ? 7 : max); v += step) values.add(v);
  }
  return values;
}
