import { describe, expect, it } from 'vitest';
import { timerSchedule } from '../../../src/app/timerSchedule.js';

describe('timerSchedule', () => {
  it('lets the host resolve a set schedule, and falls back to the default when unset', () => {
    expect(timerSchedule('RECONCILE_SCHEDULE', { RECONCILE_SCHEDULE: '0 30 2 * * *' })).toBe(
      '%RECONCILE_SCHEDULE%',
    );
    expect(timerSchedule('RECONCILE_SCHEDULE', {})).toBe('0 0 3 * * *');
    expect(timerSchedule('CATCHUP_SCHEDULE', { CATCHUP_SCHEDULE: '  ' })).toBe('0 */10 * * * *');
  });
});
