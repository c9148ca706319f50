import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChangeMessage,
  ChangeQueue,
  InvalidMessageError,
  parseChangeMessage,
  type StorageClients,
} from '../../../src/state/index.js';
import { type RunningAzurite, startAzurite } from '../../support/azurite.js';
import { eventually, freshClients, guid } from './storeFixture.js';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

async function setup(): Promise<{ clients: StorageClients; queue: ChangeQueue }> {
  const clients = await freshClients(azurite.connectionString);
  return { clients, queue: new ChangeQueue(clients) };
}

/** Receives one message from the change queue, as the worker would. */
async function receiveOne(clients: StorageClients) {
  const response = await clients
    .queue('changes')
    .receiveMessages({ numberOfMessages: 1, visibilityTimeout: 30 });
  return response.receivedMessageItems[0];
}

const RECEIVED = Date.UTC(2026, 10, 26, 4);

describe('ChangeMessage', () => {
  it('fills defaults and lower-cases object ids', () => {
    const id = guid();

    expect(
      parseChangeMessage(JSON.stringify({ kind: 'user', objectId: id.toUpperCase(), receivedAt: RECEIVED })),
    ).toEqual({
      kind: 'user',
      objectId: id,
      attempt: 0,
      source: 'notification',
      receivedAt: RECEIVED,
    });
    expect(parseChangeMessage({ kind: 'renew', receivedAt: RECEIVED })).toMatchObject({ mode: 'ensure' });
  });

  it('rejects a bad message with a non-retryable error naming the path', () => {
    const error = (() => {
      try {
        parseChangeMessage({ kind: 'user', objectId: 'nope', receivedAt: RECEIVED });
      } catch (caught) {
        return caught;
      }
    })();

    expect(error).toBeInstanceOf(InvalidMessageError);
    expect(error).toMatchObject({ retryable: false, message: expect.stringContaining('message.objectId') });
    expect(() => parseChangeMessage('{not json')).toThrow(InvalidMessageError);
    expect(() => parseChangeMessage({ kind: 'teleport', receivedAt: RECEIVED })).toThrow(/message\.kind/);
  });
});

describe('ChangeQueue on Azurite', () => {
  it('sends plain JSON text the worker can parse', async () => {
    const { clients, queue } = await setup();
    const objectId = guid();

    const { messageId } = await queue.enqueue({
      kind: 'group',
      objectId,
      receivedAt: RECEIVED,
      eventTime: RECEIVED - 500,
      changeType: 'updated',
      subscriptionId: 'sub-1',
      membersDelta: [{ id: guid() }, { id: guid(), removed: true }],
    });

    const item = await receiveOne(clients);
    expect(item?.messageId).toBe(messageId);
    const message = parseChangeMessage(item?.messageText);
    expect(message).toMatchObject({ kind: 'group', objectId, attempt: 0, eventTime: RECEIVED - 500 });
    expect(message.kind === 'group' && message.membersDelta).toHaveLength(2);
  });

  it('keeps a delayed message invisible until its delay has passed', async () => {
    const { clients, queue } = await setup();
    const sentAt = Date.now();

    await queue.enqueue(
      { kind: 'user', objectId: guid(), source: 'recheck', receivedAt: RECEIVED },
      { delayMs: 2_000 },
    );

    expect(await receiveOne(clients)).toBeUndefined();
    expect(await queue.depth()).toEqual({ changes: 1, poison: 0 });
    const item = await eventually(() => receiveOne(clients), 10_000, 200);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(1_900);
    expect(parseChangeMessage(item.messageText)).toMatchObject({ source: 'recheck' });
  });

  it('drops members@delta from a message past 40 KB and marks it truncated', async () => {
    const { clients, queue } = await setup();
    const membersDelta = Array.from({ length: 1_500 }, () => ({ id: guid() }));

    const { message } = await queue.enqueue({
      kind: 'group',
      objectId: guid(),
      receivedAt: RECEIVED,
      membersDelta,
    });

    expect(message).toMatchObject({ kind: 'group', truncated: true });
    expect('membersDelta' in message).toBe(false);
    const item = await receiveOne(clients);
    expect(Buffer.byteLength(item?.messageText ?? '')).toBeLessThan(1_000);
    expect(parseChangeMessage(item?.messageText)).toMatchObject({ truncated: true });
  });

  it('refuses to enqueue an invalid message', async () => {
    const { queue } = await setup();

    await expect(
      queue.enqueue({ kind: 'user', objectId: 'not-a-guid', receivedAt: RECEIVED } as never),
    ).rejects.toBeInstanceOf(InvalidMessageError);
  });

  it('parks, lists, re-drives and purges poison messages', async () => {
    const { clients, queue } = await setup();
    const messages: ChangeMessage[] = [1, 2, 3].map((n) =>
      parseChangeMessage({ kind: 'user', objectId: guid(), attempt: 9, receivedAt: RECEIVED + n }),
    );
    const ids = [];
    for (const message of messages)
      ids.push(await queue.sendToPoison(message, 'retry horizon passed', RECEIVED + 10));
    // What the Functions host parks after maxDequeueCount: the raw text, here unparseable.
    await clients.queue('poison').sendMessage('{"kind":"garbage"');

    const listed = await queue.listPoison();
    expect(listed).toHaveLength(4);
    expect(listed[0]?.message).toMatchObject({
      poison: { reason: 'retry horizon passed', at: RECEIVED + 10 },
    });
    expect(listed.filter((entry) => entry.problem)).toHaveLength(1);
    expect(await queue.depth()).toEqual({ changes: 0, poison: 4 });

    const one = await queue.redrivePoison([ids[1] as string], RECEIVED + 20);
    expect(one).toEqual({ redriven: [ids[1]], invalid: [] });
    const received = await receiveOne(clients);
    expect(parseChangeMessage(received?.messageText)).toEqual({
      ...messages[1],
      attempt: 0,
      redrivenAt: RECEIVED + 20,
    });
    await clients.queue('changes').deleteMessage(received?.messageId ?? '', received?.popReceipt ?? '');
    // Messages left behind are visible again at once.
    expect(await queue.listPoison()).toHaveLength(3);

    const rest = await queue.redrivePoison(undefined, RECEIVED + 30);
    expect(rest.redriven.sort()).toEqual([ids[0], ids[2]].sort());
    expect(rest.invalid).toHaveLength(1);
    expect(await queue.depth()).toEqual({ changes: 2, poison: 1 });

    await queue.purgePoison();
    expect(await queue.depth()).toMatchObject({ poison: 0 });
  });
});
