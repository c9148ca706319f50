import { describe, expect, it } from 'vitest';
import { parseNcrontab } from '../../../src/config/index.js';

describe('parseNcrontab', () => {
  it.each([
    '0 0 3 * * *',
    '0 */10 * * * *',
    '0 0 */6 * * *',
    '0 0 4 * * 0',
    '*/5 * * * * *',
    '0 0 9-17 * * MON-FRI',
    '0 30 9 1,15 * *',
    '0 0 0 1 jan,Jul *',
    '0 0 12 * * sun',
    '0 5/15 * * * *',
    '0 0 8-20/2 * * 1-5',
    '59 59 23 31 12 6',
    '0 0 0 29 2 *',
  ])('accepts %j', (expression) => {
    expect(parseNcrontab(expression)).toEqual({ ok: true, expression });
  });

  it('normalises whitespace', () => {
    expect(parseNcrontab('  0  0 3 * *\t* ')).toEqual({ ok: true, expression: '0 0 3 * * *' });
  });

  it.each([
    ['0 3 * * *', 'six fields'],
    ['0 0 0 3 * * *', 'six fields'],
    ['', 'six fields'],
    ['00:05:00', 'TimeSpan'],
    ['60 * * * * *', 'second field "60": 60 is outside 0-59'],
    ['0 60 * * * *', 'minute field'],
    ['0 0 24 * * *', 'hour field "24": 24 is outside 0-23'],
    ['0 0 0 0 * *', 'day field "0": 0 is outside 1-31'],
    ['0 0 0 32 * *', 'day field'],
    ['0 0 0 * 13 *', 'month field "13": 13 is outside 1-12'],
    ['0 0 0 * * 7', 'day-of-week field "7": 7 is outside 0-6'],
    ['0 0 0 * * FUN', 'not a number or a name'],
    ['0 0 0 * FEBR *', 'month field'],
    ['0 */0 * * * *', 'step "0" must be a whole number >= 1'],
    ['0 */x * * * *', 'step'],
    ['0 1/2/3 * * * *', 'more than one "/"'],
    ['0 10-5 * * * *', 'runs backwards'],
    ['0 1-2-3 * * * *', 'not a range'],
    ['0 1,,2 * * * *', 'is not a number'],
    ['0 ? * * * *', 'is not a number'],
    ['0 0 0 31 2 *', 'never fires'],
    ['0 0 0 30,31 2 *', 'never fires'],
  ])('refuses %j (%s)', (expression, reason) => {
    const result = parseNcrontab(expression);

    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });
});
