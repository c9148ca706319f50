import { randomUUID } from 'node:crypto';
import { type QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HostJsonOverrides } from '../../../dev/hostConfig.js';
import { type RunningAzurite, startAzurite } from '../../support/azurite.js';
import { eventually, type FixtureHost, functionLines, startFixtureHost } from './hostFixture.js';

let azurite: RunningAzurite;
let service: QueueServiceClient;
let host: FixtureHost | undefined;
beforeAll(async () => {
  azurite = await startAzurite();
  service = QueueServiceClient.fromConnectionString(azurite.connectionString);
});
afterEach(async () => {
  await host?.close();
  host = undefined;
});
afterAll(async () => {
  await azurite?.stop();
});

interface Queues {
  jobs: QueueClient;
  done: QueueClient;
  poison: QueueClient;
}

/** Starts the fixture host on fresh queues; the fixture's `jobs` function reads JOBS_QUEUE. */
async function startOnFreshQueues(
  hostJson?: HostJsonOverrides,
  log?: (line: string) => void,
): Promise<Queues> {
  const suffix = randomUUID().slice(0, 8);
  const names = { jobs: `jobs-${suffix}`, done: `done-${suffix}` };
  host = await startFixtureHost({
    env: { AzureWebJobsStorage: azurite.connectionString, JOBS_QUEUE: names.jobs, DONE_QUEUE: names.done },
    ...(hostJson ? { hostJson } : {}),
    ...(log ? { log } : {}),
  });
  const queues = {
    jobs: service.getQueueClient(names.jobs),
    done: service.getQueueClient(names.done),
    poison: service.getQueueClient(`${names.jobs}-poison`),
  };
  await queues.jobs.createIfNotExists();
  return queues;
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const unbase64 = (text: string) => Buffer.from(text, 'base64').toString('utf8');

async function peekAll(queue: QueueClient): Promise<string[]> {
  if (!(await queue.exists())) return [];
  const { peekedMessageItems } = await queue.peekMessages({ numberOfMessages: 32 });
  return peekedMessageItems.map((m) => m.messageText);
}

async function depth(queue: QueueClient): Promise<number> {
  if (!(await queue.exists())) return 0;
  return (await queue.getProperties()).approximateMessagesCount ?? 0;
}

function jobLines(lines: string[]) {
  return functionLines(lines, 'jobs')
    .filter((l) => l.startsWith('job '))
    .map(
      (l) =>
        JSON.parse(l.slice('job '.length)) as { message: unknown; dequeueCount: number; messageId: string },
    );
}

describe('queue triggers', () => {
  it('lists the queue function with its resolved queue name and connection', async () => {
    const queues = await startOnFreshQueues();

    expect(host?.functions.find((f) => f.name === 'jobs')).toEqual({
      name: 'jobs',
      trigger: 'queue',
      queueName: queues.jobs.name,
      connection: 'AzureWebJobsStorage',
    });
  });

  it('processes a good base64 message once, JSON-parsed, deletes it and writes the output queue', async () => {
    const queues = await startOnFreshQueues();

    await queues.jobs.sendMessage(base64(JSON.stringify({ id: 'good' })));

    const done = await eventually(async () => (await peekAll(queues.done))[0], 'the done message');
    expect(JSON.parse(unbase64(done))).toEqual({ done: 'good', dequeueCount: 1 });
    expect(await depth(queues.jobs)).toBe(0);
    expect(await depth(queues.poison)).toBe(0);
    const runs = jobLines(host?.lines ?? []);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ message: { id: 'good' }, dequeueCount: 1 });
  });

  it('passes text that is not a JSON object or array as a string', async () => {
    const queues = await startOnFreshQueues();

    await queues.jobs.sendMessage(base64('plain words'));

    const done = await eventually(async () => (await peekAll(queues.done))[0], 'the done message');
    expect(JSON.parse(unbase64(done))).toEqual({ done: 'plain words', dequeueCount: 1 });
  });

  it('retries a failing message maxDequeueCount times, then moves it to <queue>-poison', async () => {
    const queues = await startOnFreshQueues();
    const text = base64(JSON.stringify({ id: 'bad', fail: true }));

    await queues.jobs.sendMessage(text);

    const poisoned = await eventually(
      async () => (await peekAll(queues.poison))[0],
      'the poison message',
      20_000,
    );
    expect(poisoned).toBe(text);
    expect(jobLines(host?.lines ?? []).map((r) => r.dequeueCount)).toEqual([1, 2, 3]);
    expect(await depth(queues.jobs)).toBe(0);
    expect(await depth(queues.done)).toBe(0);
    expect(host?.lines.filter((l) => /^Executed 'Functions\.jobs' \(Failed/.test(l))).toHaveLength(3);
  });

  it('waits visibilityTimeout before retrying a failed message', async () => {
    const stamped: { at: number; line: string }[] = [];
    const queues = await startOnFreshQueues(
      { extensions: { queues: { visibilityTimeout: '00:00:01', maxDequeueCount: 2 } } },
      (line) => stamped.push({ at: Date.now(), line }),
    );

    await queues.jobs.sendMessage(base64(JSON.stringify({ id: 'late', fail: true })));
    await eventually(async () => (await peekAll(queues.poison))[0], 'the poison message', 20_000);

    const attempts = stamped.filter((s) => s.line.startsWith('[jobs] job '));
    expect(attempts).toHaveLength(2);
    expect((attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it('moves a message that is not base64 straight to the poison queue without invoking', async () => {
    const queues = await startOnFreshQueues();

    await queues.jobs.sendMessage('{"id":"raw"}');

    expect(await eventually(async () => (await peekAll(queues.poison))[0], 'the poison message')).toBe(
      '{"id":"raw"}',
    );
    expect(jobLines(host?.lines ?? [])).toEqual([]);
  });

  it('reads and writes raw text with messageEncoding "none"', async () => {
    const queues = await startOnFreshQueues({ extensions: { queues: { messageEncoding: 'none' } } });

    await queues.jobs.sendMessage(JSON.stringify({ id: 'raw' }));

    const done = await eventually(async () => (await peekAll(queues.done))[0], 'the done message');
    expect(JSON.parse(done)).toEqual({ done: 'raw', dequeueCount: 1 });
    expect(await depth(queues.jobs)).toBe(0);
  });

  it('runs a queue function directly through trigger(name, message)', async () => {
    const queues = await startOnFreshQueues();

    await host?.trigger('jobs', { id: 'direct' });

    expect(jobLines(host?.lines ?? [])[0]).toMatchObject({ message: { id: 'direct' }, messageId: 'manual' });
    expect(JSON.parse(unbase64((await peekAll(queues.done))[0] ?? ''))).toMatchObject({ done: 'direct' });
  });

  it('on close stops polling and waits for the invocation in flight', async () => {
    const queues = await startOnFreshQueues();
    await queues.jobs.sendMessage(base64(JSON.stringify({ id: 'slow', sleepMs: 1500 })));
    await eventually(
      () => (jobLines(host?.lines ?? []).length === 1 ? true : undefined),
      'the slow job to start',
    );

    await host?.close();

    expect(host?.lines.some((l) => /^Executed 'Functions\.jobs' \(Succeeded/.test(l))).toBe(true);
    expect(await depth(queues.jobs)).toBe(0);
    expect(JSON.parse(unbase64((await peekAll(queues.done))[0] ?? ''))).toMatchObject({ done: 'slow' });
    await queues.jobs.sendMessage(base64(JSON.stringify({ id: 'after-close' })));
    expect(await peekAll(queues.jobs)).toHaveLength(1);
    expect(jobLines(host?.lines ?? [])).toHaveLength(1);
  });

  it('marks a queue function with an identity-form connection as not supported locally', async () => {
    host = await startFixtureHost({
      env: {
        AzureWebJobsStorage: '',
        AzureWebJobsStorage__queueServiceUri: 'https://example.queue.core.windows.net',
        JOBS_QUEUE: 'jobs',
        DONE_QUEUE: 'done',
      },
    });

    expect(host.functions.find((f) => f.name === 'jobs')?.error).toMatch(
      /identity form .* not supported locally/,
    );
  });
});
