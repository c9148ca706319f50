import type { ReceiveDeps } from '../../../../src/app/http/notificationGate.js';
import type { CounterSink, WebhookAlarm } from '../../../../src/app/http/webhookCounters.js';
import { Secret } from '../../../../src/config/index.js';
import type { ChangeMessageInput } from '../../../../src/state/index.js';

export const TENANT = '0b7d3c52-5d2f-4c55-9a1e-7c1f00000001';
export const CLIENT_STATE = 'current-client-state-ABC';
export const PREVIOUS_STATE = 'previous-client-state-XYZ';
export const OUR_SUB = '5a1f0e2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
export const OTHER_SUB = '9f9f9f9f-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
export const USER_ID = '11111111-1111-4111-8111-111111111111';
export const GROUP_ID = '22222222-2222-4222-8222-222222222222';
export const NOW = Date.parse('2026-11-26T04:00:00Z');

/** A counter sink that remembers everything, for assertions. */
export class RecordingCounters implements CounterSink {
  readonly counts: Record<string, number> = {};
  readonly alarms: WebhookAlarm[] = [];
  add(name: string, by = 1): void {
    if (by !== 0) this.counts[name] = (this.counts[name] ?? 0) + by;
  }
  alarm(alarm: WebhookAlarm): void {
    this.alarms.push(alarm);
    this.add(`${alarm.channel}.alarm.${alarm.reason}`);
  }
}

export function someDeps(overrides: Partial<ReceiveDeps> = {}) {
  const enqueued: ChangeMessageInput[][] = [];
  const counters = new RecordingCounters();
  const deps: ReceiveDeps = {
    tenantId: TENANT,
    clientState: new Secret(CLIENT_STATE),
    previousClientState: new Secret(PREVIOUS_STATE),
    ourSubscriptionIds: async () => new Set([OUR_SUB]),
    enqueue: async (messages) => {
      enqueued.push(messages);
    },
    counters,
    now: () => NOW,
    ...overrides,
  };
  return { deps, enqueued, counters };
}

export function aUserItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    subscriptionId: OUR_SUB,
    subscriptionExpirationDateTime: '2026-12-20T10:00:00.0000000Z',
    changeType: 'updated',
    resource: `Users/${USER_ID}`,
    resourceData: {
      '@odata.type': '#Microsoft.Graph.User',
      '@odata.id': `Users/${USER_ID}`,
      id: USER_ID,
      organizationId: TENANT,
      eventTime: '2026-11-26T03:59:58.1234567Z',
      sequenceNumber: '638123456789012345678',
    },
    clientState: CLIENT_STATE,
    tenantId: TENANT,
    ...overrides,
  };
}

export function aGroupItem(members: Array<Record<string, unknown>>, overrides: Record<string, unknown> = {}) {
  return aUserItem({
    resource: `Groups/${GROUP_ID}`,
    resourceData: {
      '@odata.type': '#Microsoft.Graph.Group',
      '@odata.id': `Groups/${GROUP_ID}`,
      id: GROUP_ID,
      organizationId: TENANT,
      'members@delta': members,
    },
    ...overrides,
  });
}

export function aLifecycleItem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    subscriptionId: OUR_SUB,
    subscriptionExpirationDateTime: '2026-11-27T03:40:00Z',
    tenantId: TENANT,
    clientState: CLIENT_STATE,
    lifecycleEvent: 'reauthorizationRequired',
    ...overrides,
  };
}

export function aPost(body: unknown, query = '') {
  const bodyText = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    query: new URLSearchParams(query),
    contentType: 'application/json',
    bodyText,
    bodyBytes: Buffer.byteLength(bodyText, 'utf8'),
  };
}
