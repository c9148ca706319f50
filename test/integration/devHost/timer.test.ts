import { afterEach, describe, expect, it } from 'vitest';
import { eventually, type FixtureHost, functionLines, startFixtureHost } from './hostFixture.js';

let host: FixtureHost | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
});

function ticks(lines: string[]) {
  return functionLines(lines, 'tick')
    .filter((l) => l.startsWith('tick '))
    .map((l) => JSON.parse(l.slice('tick '.length)));
}

describe('timer triggers', () => {
  it('resolves %SCHEDULE% from the environment and fires on a six-field schedule', async () => {
    host = await startFixtureHost({ env: { SCHEDULE: '*/1 * * * * *' } });
    expect(host.functions.find((f) => f.name === 'tick')).toMatchObject({
      trigger: 'timer',
      schedule: '*/1 * * * * *',
    });

    const fired = await eventually(() => {
      const seen = ticks((host as FixtureHost).lines);
      return seen.length >= 2 ? seen : undefined;
    }, 'two ticks');

    expect(fired[1]).toMatchObject({ isPastDue: false, schedule: { adjustForDST: true } });
    expect(Date.parse(fired[1].scheduleStatus.next)).toBeGreaterThan(
      Date.parse(fired[1].scheduleStatus.last),
    );
    // The second tick's `last` is the first tick's scheduled second, one before the first's `next`.
    expect(Date.parse(fired[0].scheduleStatus.next) - Date.parse(fired[1].scheduleStatus.last)).toBe(1000);
  });

  it('runs a timer now through trigger(name), with a Timer argument', async () => {
    host = await startFixtureHost();

    await host.trigger('tick');

    expect(ticks(host.lines)).toHaveLength(1);
    expect(ticks(host.lines)[0]).toMatchObject({
      isPastDue: false,
      scheduleStatus: { last: '1970-01-01T00:00:00.000Z' },
    });
    expect(host.lines.some((l) => /^Executed 'Functions\.tick' \(Succeeded, Reason=Timer/.test(l))).toBe(
      true,
    );
  });

  it('runs runOnStartup timers once at start', async () => {
    host = await startFixtureHost();

    await eventually(
      () => (functionLines(host?.lines ?? [], 'startupTick').includes('startup tick') ? true : undefined),
      'the startup tick',
    );

    expect(functionLines(host.lines, 'tick')).toEqual([]);
  });

  it('lists a timer with a bad schedule as in error and keeps the other functions', async () => {
    host = await startFixtureHost({ env: { SCHEDULE: '*/5 * * * *' } });

    const tick = host.functions.find((f) => f.name === 'tick');
    expect(tick?.error).toMatch(/not a six-field NCRONTAB/);
    expect(host.lines).toContain(`host: error: The 'tick' function is in error: ${tick?.error}`);
    await expect(host.trigger('tick')).rejects.toThrow(/no function named "tick"/);
    expect((await fetch(`${host.url}/api/hello`)).status).toBe(200);
  });

  it('refuses to trigger HTTP functions and unknown names', async () => {
    host = await startFixtureHost();

    await expect(host.trigger('hello')).rejects.toThrow(/HTTP function/);
    await expect(host.trigger('nope')).rejects.toThrow(/no function named "nope"/);
  });

  it('runs a timer through the admin endpoint POST /admin/functions/{name}', async () => {
    host = await startFixtureHost();

    const response = await fetch(`${host.url}/admin/functions/tick`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"input":""}',
    });

    expect(response.status).toBe(202);
    await eventually(
      () => (ticks(host?.lines ?? []).length === 1 ? true : undefined),
      'the admin-triggered tick',
    );
  });
});
