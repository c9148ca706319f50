import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAppConfig, parseTimeSpan, resolveSettingRefs, toHostSettings } from '../../../dev/hostConfig.js';
import { REPO_ROOT } from './hostFixture.js';

describe('host.json', () => {
  it('parses TimeSpans as host.json writes them', () => {
    expect(parseTimeSpan('00:00:02')).toBe(2000);
    expect(parseTimeSpan('00:10:00')).toBe(600_000);
    expect(parseTimeSpan('1.02:00:00.5')).toBe(26 * 3_600_000 + 500);
    expect(parseTimeSpan('10s')).toBeUndefined();
  });

  it("uses the Functions host's defaults when extensions are missing", () => {
    expect(toHostSettings({ version: '2.0' })).toEqual({
      routePrefix: 'api',
      functionTimeoutMs: 1_800_000,
      functionsFilter: undefined,
      queues: {
        batchSize: 16,
        newBatchThreshold: 8,
        maxPollingIntervalMs: 60_000,
        visibilityTimeoutMs: 0,
        maxDequeueCount: 5,
        messageEncoding: 'base64',
      },
    });
  });

  it("accepts the project's own host.json", async () => {
    const settings = toHostSettings(JSON.parse(await readFile(join(REPO_ROOT, 'host.json'), 'utf8')));

    expect(settings.routePrefix).toBe('api');
    expect(['base64', 'none']).toContain(settings.queues.messageEncoding);
  });

  it('lets overrides win and accepts an empty route prefix', () => {
    const settings = toHostSettings(
      { extensions: { http: { routePrefix: 'api' }, queues: { batchSize: 4 } } },
      { extensions: { http: { routePrefix: '' }, queues: { maxPollingInterval: '00:00:00.200' } } },
    );

    expect(settings.routePrefix).toBe('');
    expect(settings.queues).toMatchObject({ batchSize: 4, newBatchThreshold: 2, maxPollingIntervalMs: 200 });
  });

  it('rejects values the host would reject', () => {
    expect(() => toHostSettings({ extensions: { queues: { messageEncoding: 'utf8' } } })).toThrow(
      /messageEncoding/,
    );
    expect(() => toHostSettings({ extensions: { queues: { visibilityTimeout: '5s' } } })).toThrow(/TimeSpan/);
  });
});

describe('settings', () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('layers local.settings.json Values, then process.env, then the env option', async () => {
    root = await mkdtemp(join(tmpdir(), 'host-config-'));
    await writeFile(join(root, 'package.json'), '{"main":"dist/functions/*.js"}');
    await writeFile(join(root, 'host.json'), '{"version":"2.0"}');
    await writeFile(
      join(root, 'local.settings.json'),
      JSON.stringify({ Values: { A: 'local', B: 'local', C: 'local', N: 3 } }),
    );

    const config = await loadAppConfig(root, { B: 'process', C: 'process' }, { C: 'option' });

    expect(config.main).toEqual(['dist/functions/*.js']);
    expect(config.env).toMatchObject({ A: 'local', B: 'process', C: 'option', N: '3' });
  });

  it('resolves %NAME% references and names a missing setting', () => {
    expect(resolveSettingRefs('%RECONCILE_SCHEDULE%', { RECONCILE_SCHEDULE: '0 0 3 * * *' })).toBe(
      '0 0 3 * * *',
    );
    expect(resolveSettingRefs('jobs-%ENV%', { ENV: 'dev' })).toBe('jobs-dev');
    expect(() => resolveSettingRefs('%MISSING%', {})).toThrow(/app setting MISSING is not set/);
  });
});
