import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/config/index.js';

describe('Secret', () => {
  const secret = new Secret('hunter2');

  it('reveals its value only through reveal()', () => {
    expect(secret.reveal()).toBe('hunter2');
  });

  it.each([
    ['String()', () => String(secret)],
    ['template literal', () => `${secret}`],
    ['concatenation', () => `x${secret}`],
    ['JSON.stringify', () => JSON.stringify({ secret })],
    ['util.inspect', () => inspect({ nested: { secret } }, { depth: 10, showHidden: true })],
  ])('prints [redacted] through %s', (_, print) => {
    const printed = print();

    expect(printed).toContain('[redacted]');
    expect(printed).not.toContain('hunter2');
  });

  it('compares candidates in constant time', () => {
    expect(secret.matches('hunter2')).toBe(true);
    expect(secret.matches('hunter3')).toBe(false);
    expect(secret.matches('')).toBe(false);
  });
});
