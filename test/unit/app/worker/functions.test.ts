import type { InvocationContext, Timer } from '@azure/functions';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { anObjectId, aPolicy } from '../../../fakes/builders.js';
import { fakeWorld } from './fakeWorkerApp.js';

const registered = vi.hoisted(() => [] as { type: string; name: string; options: Record<string, unknown> }[]);
const world = vi.hoisted(() => ({ current: undefined as ReturnType<typeof fakeWorld> | undefined }));

vi.mock('@azure/functions', () => {
  const record = (type: string) => (name: string, options: Record<string, unknown>) => {
    registered.push({ type, name, options });
  };
  const app = { timer: record('timer'), storageQueue: record('storageQueue'), http: record('http') };
  return { app, default: { app } };
});

vi.mock('../../../../src/app/composition.js', () => ({
  processApp: async () => world.current?.app,
}));

const FILES = ['applyChanges', 'reconcile', 'catchUp', 'renewSubscriptions', 'reassert'] as const;
const handlers: Record<string, (input: unknown, context: InvocationContext) => Promise<void>> = {};

beforeAll(async () => {
  world.current = fakeWorld(aPolicy({ mapping: [{ group: anObjectId(3001), org: 'acme', team: 'eng' }] }));
  for (const file of FILES) {
    type Handler = (input: unknown, context: InvocationContext) => Promise<void>;
    const module = (await import(`../../../../functions/${file}.ts`)) as Record<string, Handler | undefined>;
    const handler = module[file];
    if (handler) handlers[file] = handler;
  }
});

function aContext(triggerMetadata?: Record<string, unknown>): InvocationContext & { lines: string[] } {
  const lines: string[] = [];
  return { invocationId: 'inv-1', triggerMetadata, lines, log: (line: string) => lines.push(line) } as never;
}

describe('functions/ for the worker and the timers', () => {
  it('register under their file names with the documented triggers', () => {
    expect(registered.map((r) => [r.type, r.name])).toEqual([
      ['storageQueue', 'applyChanges'],
      ['timer', 'reconcile'],
      ['timer', 'catchUp'],
      ['timer', 'renewSubscriptions'],
      ['timer', 'reassert'],
    ]);
    const options = Object.fromEntries(registered.map((r) => [r.name, r.options]));
    expect(options.applyChanges).toMatchObject({
      queueName: 'graph-changes',
      connection: 'AzureWebJobsStorage',
    });
    // The settings are unset here: each timer falls back to its schema default (src/app/timerSchedule.ts).
    expect(options.reconcile).toMatchObject({ schedule: '0 0 3 * * *' });
    expect(options.catchUp).toMatchObject({ schedule: '0 */10 * * * *' });
    expect(options.reassert).toMatchObject({ schedule: '0 0 4 * * 0' });
    expect(options.renewSubscriptions).toMatchObject({ schedule: '0 0 */6 * * *', runOnStartup: true });
    expect(options.reconcile?.runOnStartup).toBeUndefined();
  });

  it('timers only enqueue one message each', async () => {
    const timer = { isPastDue: true } as Timer;
    for (const name of ['reconcile', 'catchUp', 'renewSubscriptions', 'reassert']) {
      await handlers[name]?.(timer, aContext());
    }
    const sent = world.current?.queue.take().map((s) => s.message) ?? [];
    expect(sent.map((m) => m.kind)).toEqual(['reconcile', 'catchUp', 'renew', 'reassert']);
    expect(sent[0]).toMatchObject({ reason: 'reconcile timer (past due)', attempt: 0 });
    expect(sent[2]).toMatchObject({ kind: 'renew', mode: 'ensure' });
  });

  it('the queue worker hands the message and its trigger metadata to handleMessage', async () => {
    const context = aContext({ id: 'queue-msg-7', dequeueCount: 1 });
    await handlers.applyChanges?.(
      { kind: 'lifecycle', subscriptionId: 's1', lifecycleEvent: 'missed', receivedAt: 1 },
      context,
    );
    const sent = world.current?.queue.take().map((s) => s.message) ?? [];
    expect(sent).toEqual([
      expect.objectContaining({ kind: 'renew', causeId: 'queue-msg-7' }),
      expect.objectContaining({ kind: 'catchUp', causeId: 'queue-msg-7' }),
    ]);
    expect(context.lines).toEqual(['lifecycle queue-msg-7 done: renew and catch-up enqueued']);
  });
});
