import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const host = JSON.parse(readFileSync(join(root, 'host.json'), 'utf8'));

function seconds(timeSpan: string): number {
  const match = /^(\d{2}):(\d{2}):(\d{2})$/.exec(timeSpan);
  if (!match) throw new Error(`not a hh:mm:ss TimeSpan: ${timeSpan}`);
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
}

describe('host.json', () => {
  it('is a v2 host with the extension bundle Flex Consumption needs for the queue trigger', () => {
    expect(host.version).toBe('2.0');
    expect(host.extensionBundle).toEqual({
      id: 'Microsoft.Azure.Functions.ExtensionBundle',
      version: '[4.*, 5.0.0)',
    });
  });

  it('polls the change queue at seconds-level latency and leaves retries to code', () => {
    const queues = host.extensions.queues;
    expect(seconds(queues.maxPollingInterval)).toBeLessThanOrEqual(2);
    expect(seconds(queues.visibilityTimeout)).toBeGreaterThan(0);
    expect(queues.batchSize).toBeGreaterThanOrEqual(1);
    expect(queues.newBatchThreshold).toBeLessThan(queues.batchSize);
    expect(queues.maxDequeueCount).toBeGreaterThanOrEqual(2);
    // Producers (webhook, timers, admin API) write plain JSON; base64 would break every message.
    expect(queues.messageEncoding).toBe('none');
  });

  it('bounds function runs and never samples away audit traces', () => {
    expect(seconds(host.functionTimeout)).toBeGreaterThan(0);
    const excluded: string[] = host.logging.applicationInsights.samplingSettings.excludedTypes.split(';');
    expect(excluded).toEqual(expect.arrayContaining(['Trace', 'Event', 'Exception', 'Request']));
  });
});
