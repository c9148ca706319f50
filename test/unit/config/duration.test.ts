import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/config/index.js';

describe('parseDuration', () => {
  it.each([
    ['60000', 60_000],
    ['0', 0],
    ['100ms', 100],
    ['60s', 60_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1_500],
    ['0.29s', 290],
    [' 2M ', 120_000],
    ['00:01:00', 60_000],
    ['1:00:00', 3_600_000],
    ['1.00:00:00', 86_400_000],
    ['00:00:01.5', 1_500],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, ms });
  });

  it.each(['', 'soon', '10 s', '-5s', '1w', 'h', '5s2', '1.2.3s', '00:60:00', '24:00:00', '00:00:00.0001'])(
    'refuses %j',
    (text) => {
      expect(parseDuration(text).ok).toBe(false);
    },
  );

  it('explains the 24:00:00 TimeSpan trap', () => {
    expect(parseDuration('24:00:00')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('1.00:00:00'),
    });
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [250, '250ms'],
    [60_000, '1m'],
    [90_000, '90s'],
    [86_400_000, '1d'],
  ])('writes %d as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
