export type NcrontabResult = { ok: true; expression: string } | { ok: false; reason: string };

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const FIELDS: readonly Field[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 0, max: 6, names: DAYS },
];
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const SHAPE = 'second minute hour day month day-of-week, e.g. "0 */10 * * * *"';

/**
 * Validates a six-field NCRONTAB expression as the Functions timer trigger reads it (UTC):
 * `*`, values, names (JAN-DEC, SUN-SAT), ranges `a-b`, steps `*\/n`, `a-b/n`, `a/n`, and comma lists.
 */
export function parseNcrontab(text: string): NcrontabResult {
  const parts = text.trim().split(/\s+/);
  if (/^(?:\d+\.)?\d{1,2}:\d{2}:\d{2}$/.test(text.trim())) {
    return {
      ok: false,
      reason: `is a TimeSpan, which Consumption and Flex plans refuse; use six NCRONTAB fields (${SHAPE})`,
    };
  }
  if (parts.length !== 6) {
    return {
      ok: false,
      reason: `has ${parts.length} field${parts.length === 1 ? '' : 's'}; NCRONTAB needs six fields (${SHAPE})`,
    };
  }
  const sets: Set<number>[] = [];
  for (const [index, field] of FIELDS.entries()) {
    const parsed = parseField(parts[index] ?? '', field);
    if (typeof parsed === 'string')
      return { ok: false, reason: `${field.name} field "${parts[index]}": ${parsed}` };
    sets.push(parsed);
  }
  const [, , , days, months, weekdays] = sets;
  if (days && months && weekdays && weekdays.size === 7 && !canFallOnADate(days, months)) {
    return { ok: false, reason: 'never fires: no selected month has any of the selected days' };
  }
  return { ok: true, expression: parts.join(' ') };
}

function parseField(text: string, field: Field): Set<number> | string {
  const values = new Set<number>();
  for (const element of text.split(',')) {
    const range = parseElement(element, field);
    if (typeof range === 'string') return range;
    for (let value = range.first; value <= range.last; value += range.step) values.add(value);
  }
  return values;
}

function parseElement(element: string, field: Field): { first: number; last: number; step: number } | string {
  const [base = '', stepText, extra] = element.split('/');
  if (extra !== undefined) return `"${element}" has more than one "/"`;
  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d+$/.test(stepText) || Number(stepText) < 1)
      return `step "${stepText}" must be a whole number >= 1`;
    step = Number(stepText);
  }
  if (base === '*') return { first: field.min, last: field.max, step };
  const [fromText = '', toText, more] = base.split('-');
  if (more !== undefined) return `"${element}" is not a range a-b`;
  const first = parseValue(fromText, field);
  if (typeof first === 'string') return first;
  if (toText === undefined) return { first, last: stepText === undefined ? first : field.max, step };
  const last = parseValue(toText, field);
  if (typeof last === 'string') return last;
  if (first > last) return `range "${base}" runs backwards`;
  return { first, last, step };
}

function parseValue(text: string, field: Field): number | string {
  const byName = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (byName >= 0) return byName + field.min;
  if (!/^\d+$/.test(text)) {
    const names = field.names ? ` or a name (${field.names.join(', ').toUpperCase()})` : '';
    return `"${text}" is not a number${names}`;
  }
  const value = Number(text);
  if (value < field.min || value > field.max) return `${value} is outside ${field.min}-${field.max}`;
  return value;
}

function canFallOnADate(days: Set<number>, months: Set<number>): boolean {
  const firstDay = Math.min(...days);
  return [...months].some((month) => firstDay <= (DAYS_IN_MONTH[month - 1] ?? 31));
}
