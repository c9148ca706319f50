import { describe, expect, it } from 'vitest';
import {
  chooseUsername,
  deriveUsername,
  fallbackUsername,
  MAX_USERNAME_LENGTH,
  usernameBase,
  usernameProblem,
} from '../../../src/domain/usernames.js';

// Code point ranges real directory names and hostile input draw from.
const RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x20, 0x7e], // ASCII
  [0x20, 0x7e],
  [0x09, 0x0d], // control whitespace
  [0xa0, 0xff], // Latin-1
  [0x100, 0x24f], // Latin Extended-A/B
  [0x250, 0x2af], // IPA
  [0x300, 0x36f], // combining marks
  [0x370, 0x3ff], // Greek
  [0x400, 0x4ff], // Cyrillic
  [0x1e00, 0x1eff], // Latin Extended Additional (Vietnamese)
  [0x2000, 0x206f], // general punctuation, zero-width joiners
  [0x2100, 0x214f], // letterlike symbols (NFKD to ASCII)
  [0x3040, 0x30ff], // kana
  [0x4e00, 0x4eff], // CJK
  [0xfb00, 0xfb06], // ligatures
  [0xff01, 0xff5e], // fullwidth ASCII
  [0x1f300, 0x1f64f], // emoji
  [0xd800, 0xdfff], // lone surrogates
];

function randomSource(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
}

function pick(random: () => number, max: number): number {
  return Math.floor(random() * max);
}

function randomName(random: () => number): string {
  const length = pick(random, 48);
  let name = '';
  for (let i = 0; i < length; i += 1) {
    const range = RANGES[pick(random, RANGES.length)] ?? [0x61, 0x7a];
    name += String.fromCodePoint(range[0] + pick(random, range[1] - range[0] + 1));
  }
  return random() < 0.1 ? `${name}#EXT#` : name;
}

function randomObjectId(random: () => number): string {
  let hex = '';
  for (let i = 0; i < 32; i += 1) hex += pick(random, 16).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const SAMPLES = 4000;
const BASE_SHAPE = /^(?:[a-z0-9](?:[a-z0-9_.-]*[a-z0-9])?)?$/;

describe('username properties over random unicode', () => {
  it('bases are short, lower-case ASCII without edge separators, and stable when folded again', () => {
    const random = randomSource(0x5eed);
    for (let i = 0; i < SAMPLES; i += 1) {
      const raw = randomName(random);
      const base = usernameBase(raw);
      expect(base, JSON.stringify(raw)).toMatch(BASE_SHAPE);
      expect(base.length).toBeLessThanOrEqual(MAX_USERNAME_LENGTH);
      expect(base).not.toMatch(/[._]-|-[._]|--/);
      expect(usernameBase(base)).toBe(base);
    }
  });

  it('every chosen name is acceptable to Gogs, at most 35 long, and unique case-insensitively', () => {
    const random = randomSource(0xc0ffee);
    const taken = new Set<string>();
    for (let i = 0; i < SAMPLES; i += 1) {
      const raw = randomName(random);
      const username = chooseUsername(
        usernameBase(raw),
        (lowerName) => taken.has(lowerName),
        fallbackUsername(randomObjectId(random)),
      );
      expect(usernameProblem(username), JSON.stringify(raw)).toBeUndefined();
      expect(username.length).toBeLessThanOrEqual(MAX_USERNAME_LENGTH);
      expect(username).not.toMatch(/[._-]-\d+$/);
      expect(taken.has(username.toLowerCase())).toBe(false);
      taken.add(username.toLowerCase());
    }
  });

  it('allocates many people with the same name without running out', () => {
    const taken = new Set<string>();
    for (let i = 0; i < 500; i += 1) {
      const result = deriveUsername(
        { objectId: '0a1b2c3d-0000-4000-8000-000000000000', attributeValue: `${'Ångström'.repeat(5)}` },
        (lowerName) => taken.has(lowerName),
      );
      if (!result.ok) throw new Error(result.reason);
      expect(usernameProblem(result.username)).toBeUndefined();
      taken.add(result.username.toLowerCase());
    }
    expect(taken.size).toBe(500);
    expect(taken.has(`${'angstrom'.repeat(5).slice(0, 31)}-500`)).toBe(true);
  });

  it('answers the same for the same input', () => {
    const random = randomSource(42);
    for (let i = 0; i < 500; i += 1) {
      const raw = randomName(random);
      const objectId = randomObjectId(random);
      const isTaken = (lowerName: string): boolean => lowerName.length % 3 === 0;
      expect(deriveUsername({ objectId, attributeValue: raw }, isTaken)).toEqual(
        deriveUsername({ objectId, attributeValue: raw }, isTaken),
      );
    }
  });
});
