import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  EVENT_NAMES,
  errorCode,
  gogsRecovered,
  gogsUnreachable,
  guardTripped,
  type LogSink,
  NotificationDrops,
  notificationDropped,
  queueDepths,
  runCompleted,
  subscriptionState,
  windowText,
} from '../../../src/app/telemetry.js';
import { GogsApiError } from '../../../src/gogs/gogsApiError.js';

/** A sink that keeps every line with its level. */
class RecordingLog implements LogSink {
  readonly lines: { level: 'log' | 'warn'; line: string }[] = [];
  log(message: string): void {
    this.lines.push({ level: 'log', line: message });
  }
  warn(message: string): void {
    this.lines.push({ level: 'warn', line: message });
  }
  /** The events of one name, parsed the way the alert queries parse them. */
  events(name: string): Record<string, unknown>[] {
    return this.lines
      .filter(({ line }) => line.startsWith(`${name} `))
      .map(({ line }) => JSON.parse(line.slice(name.length + 1)) as Record<string, unknown>);
  }
}

/** One event of every kind, with realistic values. */
function everyEvent(): RecordingLog {
  const log = new RecordingLog();
  queueDepths(log, { changes: 3, poison: 1 });
  guardTripped(log, {
    heldCount: 40,
    budget: 25,
    window: '1h',
    cause: 'reconcile',
    reason: 'budget',
    runId: 'r-20261126-0300',
  });
  runCompleted(log, { kind: 'reconcile', runId: 'r1', outcome: 'succeeded', durationMs: 1200, actions: 4 });
  subscriptionState(log, { resource: 'users', subscriptionId: 's1', expiresAt: '2026-12-20T10:00:00.000Z' });
  notificationDropped(log, {
    reason: 'clientStateMismatch',
    subscriptionId: 's1',
    ours: true,
    count: 2,
    channel: 'notifications',
  });
  gogsUnreachable(log, {
    since: Date.parse('2026-11-26T04:00:00Z'),
    failingForSeconds: 301,
    lastError: '503',
  });
  gogsRecovered(log, { since: Date.parse('2026-11-26T04:00:00Z'), downForSeconds: 600 });
  return log;
}

describe('telemetry: the event format', () => {
  it('writes one line per event: the name, one space, then compact JSON', () => {
    const log = everyEvent();

    expect(new Set(log.lines.map(({ line }) => line.slice(0, line.indexOf(' '))))).toEqual(
      new Set(EVENT_NAMES),
    );
    for (const { line } of log.lines) {
      const json = line.slice(line.indexOf(' ') + 1);
      expect(line).not.toContain('\n');
      expect(JSON.stringify(JSON.parse(json))).toBe(json);
    }
    expect(log.lines[2]?.line).toBe(
      'sync.guardTripped {"heldCount":40,"budget":25,"window":"1h","cause":"reconcile","reason":"budget","runId":"r-20261126-0300"}',
    );
  });

  it('carries only the listed fields: nothing secret-looking, even when the input has more', () => {
    const log = everyEvent();
    const sneaky = {
      resource: 'groups',
      subscriptionId: null,
      expiresAt: null,
      clientState: 'current-client-state-ABC',
    } as Parameters<typeof subscriptionState>[1];
    subscriptionState(log, sneaky);

    for (const { line } of log.lines) {
      const json = JSON.parse(line.slice(line.indexOf(' ') + 1)) as Record<string, unknown>;
      expect(
        Object.keys(json).filter((k) => /secret|token|key|password|clientstate|authorization/i.test(k)),
      ).toEqual([]);
      expect(line).not.toContain('current-client-state-ABC');
    }
    expect(log.events('sync.subscriptionState')[1]).toEqual({
      resource: 'groups',
      subscriptionId: null,
      expiresAt: null,
    });
  });

  it('reduces an error to a status or code, never its message or a response body', () => {
    const gogs = new GogsApiError(502, 'GET /users/search', 'upstream said token=abc123');
    expect(errorCode(gogs)).toBe('502');
    expect(errorCode(new GogsApiError(0, 'GET /user', ''))).toBe('0');
    expect(errorCode(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(errorCode(Object.assign(new Error('x'), { code: 'a body with spaces' }))).toBe('error');
    expect(errorCode(new TypeError('secret in a message'))).toBe('TypeError');
    expect(errorCode('nope')).toBe('error');
  });

  it('writes warnings for what an operator must look at, plain logs for the rest', () => {
    const log = everyEvent();
    const warned = log.lines.filter((l) => l.level === 'warn').map(({ line }) => line.split(' ')[0]);
    expect(warned).toEqual(['sync.guardTripped', 'sync.notificationDropped', 'sync.gogsUnreachable']);
  });

  it('aggregates drops per reason: a count, the subscription id when only one was named', () => {
    const log = new RecordingLog();
    const drops = new NotificationDrops('notifications');
    drops.add('clientStateMismatch', 'sub-a', true);
    drops.add('clientStateMismatch', 'sub-b', false);
    drops.add('clientStateMismatch', 'sub-c', false);
    drops.add('wrongTenant', 'sub-a', false);
    drops.add('wrongTenant', 'sub-a', false);

    drops.emit(log);
    drops.emit(undefined);

    expect(log.events('sync.notificationDropped')).toEqual([
      { reason: 'clientStateMismatch', subscriptionId: null, ours: true, count: 3, channel: 'notifications' },
      { reason: 'wrongTenant', subscriptionId: 'sub-a', ours: false, count: 2, channel: 'notifications' },
    ]);
  });

  it('writes windows in their largest whole unit', () => {
    expect([3_600_000, 1_800_000, 2 * 86_400_000, 90_000, 1_500].map(windowText)).toEqual([
      '1h',
      '30m',
      '2d',
      '90s',
      '1500ms',
    ]);
  });
});

describe('telemetry: the contract with the alerts', () => {
  const bicep = readFileSync(new URL('../../../infra/modules/alerts.bicep', import.meta.url), 'utf8');
  const operations = readFileSync(new URL('../../../docs/operations.md', import.meta.url), 'utf8');

  /** Each query's event name and the fields of `d` it reads. */
  const queries = [...bicep.matchAll(/query: '\$\{eventsFunction\}(.*)'\n/g)].map(([, query = '']) => ({
    name: /events\("([^"]+)"\)/.exec(query)?.[1] ?? '',
    fields: [...query.matchAll(/\bd(?:\.(\w+)|\["(\w+)"\])/g)].map(([, dotted, quoted]) => dotted ?? quoted),
  }));

  it('queries only events the app emits', () => {
    expect(queries.length).toBeGreaterThanOrEqual(7);
    expect(new Set(queries.flatMap((q) => q.fields))).toEqual(
      new Set([
        'queue',
        'depth',
        'kind',
        'outcome',
        'resource',
        'expiresAt',
        'reason',
        'count',
        'ours',
        'failingForSeconds',
      ]),
    );
    for (const { name } of queries) expect(EVENT_NAMES).toContain(name);
  });

  it('reads only fields the app writes', () => {
    const log = everyEvent();
    for (const { name, fields } of queries) {
      const [event] = log.events(name);
      for (const field of fields) expect(event, `${name}.${field}`).toHaveProperty(field as string);
    }
  });

  it('parses events the way the app writes them: the name and one space', () => {
    expect(bicep).toContain('where message startswith strcat(name, " ")');
    expect(bicep).toContain('parse_json(substring(message, strlen(name) + 1))');
  });

  it('documents every event the app emits in docs/operations.md', () => {
    for (const name of EVENT_NAMES) expect(operations).toContain(`\`${name}\``);
  });
});
