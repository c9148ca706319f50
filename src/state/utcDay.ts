/** `yyyy-mm-dd` of an epoch-ms time in UTC: the partition of day-partitioned tables. */
export function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** Every UTC day from `from` to `to` (inclusive), oldest first. */
export function utcDaysBetween(from: number, to: number): string[] {
  const days: string[] = [];
  const DAY = 86_400_000;
  for (let t = Math.floor(from / DAY) * DAY; t <= to; t += DAY) days.push(utcDay(t));
  return days;
}
