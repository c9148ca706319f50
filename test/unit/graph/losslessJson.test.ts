import { describe, expect, it } from 'vitest';
import { parseJsonLossless, quoteUnsafeIntegers } from '../../../src/graph/losslessJson.js';

describe('parseJsonLossless', () => {
  it('turns integers beyond 2^53 into exact strings, anywhere', () => {
    expect(parseJsonLossless('{"a":637628640120385565,"b":[-9007199254740993, 2]}')).toEqual({
      a: '637628640120385565',
      b: ['-9007199254740993', 2],
    });
  });

  it('leaves safe integers, decimals and exponents as numbers', () => {
    expect(parseJsonLossless('[9007199254740991, 1.5, 12345678901234567890.5, 1e400, -0]')).toEqual([
      9007199254740991,
      1.5,
      Number('12345678901234567890.5'),
      Number.POSITIVE_INFINITY,
      -0,
    ]);
  });

  it('never touches digits inside strings, escaped quotes included', () => {
    const text = '{"s":"x\\"637628640120385565","t":"\\\\","n":637628640120385565}';

    expect(parseJsonLossless(text)).toEqual({ s: 'x"637628640120385565', t: '\\', n: '637628640120385565' });
  });

  it('returns the text unchanged when there is nothing to quote', () => {
    const text = '{"value":[{"id":"1","n":42}]}';

    expect(quoteUnsafeIntegers(text)).toBe(text);
  });

  it('still fails on broken JSON', () => {
    expect(() => parseJsonLossless('{"a": 1')).toThrow();
  });
});
