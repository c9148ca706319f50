import { QueueClient } from '@azure/storage-queue';
import { generateTenant } from '../emulators/graph/generateTenant.js';
import { startHostStack } from './hostStack.js';
import { type Summary, since, summarize } from './stats.js';

/** Each level of concurrency gets this long; what was sent by then is reported. */
const SERIES_BOUND_MS = 60_000;

export interface WebhookSeries {
  concurrency: number;
  collections: number;
  items: number;
  ackMs: Summary;
  throughput: { collectionsPerS: number; itemsPerS: number };
  non2xx: number;
  /** Set when the series hit its time bound before sending every collection. */
  cutOffAfterS?: number;
  /** Messages found on the queue afterwards: every item admitted and enqueued. */
  queued: number;
}

export interface WebhookResult {
  series: WebhookSeries[];
  /** The same enqueues sent straight to Azurite from this process, one collection at a time. */
  azuriteOnlyMs: Summary;
  note: string;
}

/**
 * B1: notification collections of 1–10 user items POSTed to the host's webhook, as Graph would
 * (through the HTTP server, the function, the gate and the Azurite enqueue), once per level of
 * concurrency. The queue worker is disabled after set-up: on Flex it scales apart from the HTTP
 * group, and here it would compete with the webhook for the same two cores.
 */
export async function benchWebhook(options: {
  collections: number;
  concurrency: number[];
}): Promise<WebhookResult> {
  const tenant = generateTenant({ users: 200, groups: 20, mapped: 5, depth: 2, memberships: 400, seed: 7 });
  const stack = await startHostStack({
    seed: tenant.seed,
    mapping: tenant.mapping,
    disabled: ['applyChanges'],
  });
  try {
    const subscription = [...stack.graph.server.subscriptions.items.values()].find(
      (s) => s.resource === '/users',
    );
    if (!subscription) throw new Error('no /users subscription after ensure');
    const userIds = (tenant.seed.users ?? []).map((u) => u.id as string);
    const url = `${stack.functions}/api/graph/notifications`;
    const bodies = Array.from({ length: options.collections }, (_, i) =>
      JSON.stringify({
        value: Array.from({ length: 1 + (i % 10) }, (_, j) =>
          notificationItem({
            userId: userIds[(i * 10 + j) % userIds.length] as string,
            subscriptionId: subscription.id,
            clientState: stack.clientState,
            tenantId: stack.graph.tenantId,
            sequence: i * 10 + j,
          }),
        ),
      }),
    );
    const itemsIn = (count: number) => bodies.slice(0, count).reduce((sum, _, i) => sum + 1 + (i % 10), 0);
    // Warm-up: the first requests pay for module loading and the storage clients.
    for (let i = 0; i < 20; i++) await post(url, bodies[i % bodies.length] as string);
    const queue = new QueueClient(stack.storage, 'graph-changes');
    const series: WebhookSeries[] = [];
    for (const concurrency of options.concurrency) {
      await queue.clearMessages();
      const latencies: number[] = [];
      let non2xx = 0;
      let next = 0;
      const started = performance.now();
      const deadline = started + SERIES_BOUND_MS;
      const sender = async () => {
        while (next < bodies.length && performance.now() < deadline) {
          const body = bodies[next++] as string;
          const t0 = performance.now();
          const status = await post(url, body);
          latencies.push(since(t0));
          if (status < 200 || status > 299) non2xx++;
        }
      };
      await Promise.all(Array.from({ length: concurrency }, sender));
      const elapsedS = (performance.now() - started) / 1000;
      series.push({
        concurrency,
        collections: latencies.length,
        items: itemsIn(latencies.length),
        ...(latencies.length < bodies.length ? { cutOffAfterS: SERIES_BOUND_MS / 1000 } : {}),
        ackMs: summarize(latencies),
        throughput: {
          collectionsPerS: Math.round(latencies.length / elapsedS),
          itemsPerS: Math.round(itemsIn(latencies.length) / elapsedS),
        },
        non2xx,
        queued: (await queue.getProperties()).approximateMessagesCount ?? 0,
      });
    }
    const baseline = await azuriteBaseline(queue, bodies.slice(0, Math.min(500, bodies.length)));
    return {
      series,
      azuriteOnlyMs: baseline,
      note: 'queue worker disabled during the measurement; timers off',
    };
  } finally {
    await stack.stop();
  }
}

async function azuriteBaseline(queue: QueueClient, bodies: string[]): Promise<Summary> {
  const latencies: number[] = [];
  for (const body of bodies) {
    const items = (JSON.parse(body) as { value: unknown[] }).value;
    const t0 = performance.now();
    await Promise.all(
      items.map((item) => queue.sendMessage(Buffer.from(JSON.stringify(item)).toString('base64'))),
    );
    latencies.push(since(t0));
  }
  await queue.clearMessages();
  return summarize(latencies);
}

async function post(url: string, body: string): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

function notificationItem(item: {
  userId: string;
  subscriptionId: string;
  clientState: string;
  tenantId: string;
  sequence: number;
}) {
  const now = new Date().toISOString();
  return {
    changeType: 'updated',
    clientState: item.clientState,
    resource: `Users/${item.userId}`,
    resourceData: {
      '@odata.type': '#Microsoft.Graph.User',
      '@odata.id': `Users/${item.userId}`,
      id: item.userId,
      organizationId: item.tenantId,
      eventTime: now,
      sequenceNumber: item.sequence,
    },
    subscriptionExpirationDateTime: new Date(Date.now() + 86_400_000).toISOString(),
    subscriptionId: item.subscriptionId,
    tenantId: item.tenantId,
  };
}
