import { describe, expect, it } from 'vitest';
import {
  chooseUsername,
  deriveUsername,
  fallbackUsername,
  isAlphaDashDot,
  MAX_USERNAME_CANDIDATES,
  MAX_USERNAME_LENGTH,
  RESERVED_USERNAMES,
  teamNameProblem,
  UsernameExhaustedError,
  usernameBase,
  usernameProblem,
} from '../../../src/domain/usernames.js';

const OBJECT_ID = '5D1A6F0C-93B2-4E7A-8C11-2F0B9E6D4A77';
const FALLBACK = 'user-5d1a6f0c';
const nothingTaken = (_lowerName: string): boolean => false;

function takenFrom(names: Iterable<string>): (lowerName: string) => boolean {
  const taken = new Set(names);
  return (lowerName) => taken.has(lowerName);
}

describe('RESERVED_USERNAMES', () => {
  it('holds the 27 names Gogs reserves (spec §5)', () => {
    expect([...RESERVED_USERNAMES].sort()).toEqual(
      [
        '-',
        '.',
        '..',
        'admin',
        'api',
        'assets',
        'avatar',
        'commits',
        'create',
        'css',
        'debug',
        'explore',
        'help',
        'img',
        'install',
        'issues',
        'js',
        'less',
        'new',
        'org',
        'plugins',
        'pulls',
        'raw',
        'repo',
        'stars',
        'template',
        'user',
      ].sort(),
    );
    expect(RESERVED_USERNAMES.size).toBe(27);
  });

  it('does not reserve names Gogs only shadows', () => {
    expect(RESERVED_USERNAMES.has('search')).toBe(false);
  });
});

describe('isAlphaDashDot', () => {
  it.each(['alice', 'Alice.Smith_2-x', '-', '.', '0', 'a'.repeat(35)])('accepts %j', (name) => {
    expect(isAlphaDashDot(name)).toBe(true);
  });

  it.each([
    'zoë',
    'a b',
    ' alice',
    'alice\n',
    'alice@contoso.com',
    'a/b',
    'a+b',
    "o'brien",
    'ａ',
    'ı',
    'a'.repeat(36),
  ])('refuses %j', (name) => {
    expect(isAlphaDashDot(name)).toBe(false);
  });

  it('accepts the empty string, like the binding rule without Required', () => {
    expect(isAlphaDashDot('')).toBe(true);
  });

  it('takes another MaxSize', () => {
    expect(isAlphaDashDot('a'.repeat(30), 30)).toBe(true);
    expect(isAlphaDashDot('a'.repeat(31), 30)).toBe(false);
  });
});

describe('usernameProblem', () => {
  it.each([
    ['alice', undefined],
    ['Alice.Smith', undefined],
    ['-alice-', undefined],
    ['.alice.', undefined],
    ['search', undefined],
    ['admins', undefined],
    ['keys', undefined],
    ['bob.keys-2', undefined],
    ['a'.repeat(35), undefined],
    ['', 'empty'],
    [' ', 'charset'],
    ['admin ', 'charset'],
    ['zoë', 'charset'],
    ['alice@contoso.com', 'charset'],
    ['a'.repeat(36), 'tooLong'],
    [`${'a'.repeat(36)} `, 'charset'],
    ['admin', 'reserved'],
    ['Admin', 'reserved'],
    ['ADMIN', 'reserved'],
    ['api', 'reserved'],
    ['user', 'reserved'],
    ['-', 'reserved'],
    ['.', 'reserved'],
    ['..', 'reserved'],
    ['bob.keys', 'reservedPattern'],
    ['Bob.KEYS', 'reservedPattern'],
    ['.keys', 'reservedPattern'],
  ] as const)('%j → %s', (name, problem) => {
    expect(usernameProblem(name)).toBe(problem);
  });

  it('checks the length in code points against the given maximum', () => {
    expect(usernameProblem('a'.repeat(36), 40)).toBeUndefined();
    expect(usernameProblem('a'.repeat(41), 40)).toBe('tooLong');
  });
});

describe('teamNameProblem', () => {
  it.each([
    ['developers', undefined],
    ['Owners', undefined],
    ['admin', undefined],
    ['new-hires', undefined],
    ['a'.repeat(30), undefined],
    ['', 'empty'],
    ['dev team', 'charset'],
    ['équipe', 'charset'],
    ['a'.repeat(31), 'tooLong'],
    ['new', 'reserved'],
    ['New', 'reserved'],
    ['NEW', 'reserved'],
  ] as const)('%j → %s', (name, problem) => {
    expect(teamNameProblem(name)).toBe(problem);
  });
});

describe('usernameBase', () => {
  it.each([
    ['alice', 'alice'],
    ['Alice.Smith', 'alice.smith'],
    ['Zoë Ångström', 'zoe-angstrom'],
    ['Émile_Zola', 'emile_zola'],
    ['Ærøskøbing', 'aeroskobing'],
    ['Søren Kierkegaard', 'soren-kierkegaard'],
    ['Groß', 'gross'],
    ['STRAẞE', 'strasse'],
    ['Işıl Çelik', 'isil-celik'],
    ['İbrahim', 'ibrahim'],
    ['Nguyễn Thị Minh Khai', 'nguyen-thi-minh-khai'],
    ['Đặng Văn Lâm', 'dang-van-lam'],
    ['Łukasz Żółć', 'lukasz-zolc'],
    ['Þórður Guðmundsson', 'thordur-gudmundsson'],
    ['Œuvre', 'oeuvre'],
    ['Ħal Far', 'hal-far'],
    ['Paral·lel', 'parallel'],
    ['ﬁnn', 'finn'],
    ['Ｆｕｌｌｗｉｄｔｈ', 'fullwidth'],
    ['℡', 'tel'],
  ])('folds %j to ASCII: %j', (raw, base) => {
    expect(usernameBase(raw)).toBe(base);
  });

  it.each([
    ["O'Brien", 'o-brien'],
    ['O’Brien', 'o-brien'],
    ['Mary-Jane Watson-Parker', 'mary-jane-watson-parker'],
    ['a  b', 'a-b'],
    ['a \t b', 'a-b'],
    ['a-b--c---d', 'a-b-c-d'],
    ['J. R. R. Tolkien', 'j-r-r-tolkien'],
    ['Dr. Who', 'dr-who'],
    ['a.-.b', 'a-b'],
    ['a_-_b', 'a-b'],
    ['john..doe', 'john..doe'],
    ['snake__case', 'snake__case'],
    ['a+b@c', 'a-b-c'],
    ['Alice 🚀', 'alice'],
    ['👩‍💻 dev', 'dev'],
    ['❤️Bob❤️', 'bob'],
    ['-._x_.-', 'x'],
    ['__init__', 'init'],
    ['  alice  ', 'alice'],
  ])('replaces, collapses and trims separators in %j: %j', (raw, base) => {
    expect(usernameBase(raw)).toBe(base);
  });

  it.each([
    ['山田太郎', ''],
    ['Иван Петров', ''],
    ['🚀🚀', ''],
    ['', ''],
    ['   ', ''],
    ['...', ''],
    ['李 Li', 'li'],
  ])('may leave nothing of %j: %j', (raw, base) => {
    expect(usernameBase(raw)).toBe(base);
  });

  it.each([
    ['alice_contoso.com#EXT#', 'alice_contoso.com'],
    ['alice_contoso.com#ext#', 'alice_contoso.com'],
    ['Zoë_fabrikam.com#EXT#', 'zoe_fabrikam.com'],
    ['#EXT#', ''],
    ['a#EXT#b', 'a-ext-b'],
  ])('strips a trailing guest marker from %j: %j', (raw, base) => {
    expect(usernameBase(raw)).toBe(base);
  });

  it('cuts to 35 characters', () => {
    expect(usernameBase('x'.repeat(40))).toBe('x'.repeat(35));
  });

  it('does not end on a separator after the cut', () => {
    expect(usernameBase(`${'a'.repeat(34)} b`)).toBe('a'.repeat(34));
    expect(usernameBase(`${'a'.repeat(33)}._bc`)).toBe('a'.repeat(33));
  });

  it('keeps reserved words, which chooseUsername skips', () => {
    expect(usernameBase('Admin')).toBe('admin');
    expect(usernameBase('bob.keys')).toBe('bob.keys');
  });
});

describe('chooseUsername', () => {
  it('returns the base when it is free', () => {
    expect(chooseUsername('alice', nothingTaken, FALLBACK)).toBe('alice');
  });

  it('numbers collisions from 2', () => {
    expect(chooseUsername('alice', takenFrom(['alice']), FALLBACK)).toBe('alice-2');
    expect(chooseUsername('alice', takenFrom(['alice', 'alice-2', 'alice-3']), FALLBACK)).toBe('alice-4');
  });

  it('asks isTaken in lower case, so org names and mixed-case accounts collide', () => {
    const asked: string[] = [];
    const username = chooseUsername(
      'Alice',
      (lowerName) => {
        asked.push(lowerName);
        return lowerName === 'alice';
      },
      FALLBACK,
    );
    expect(username).toBe('Alice-2');
    expect(asked).toEqual(['alice', 'alice-2']);
  });

  it('cuts a 35-character base to 33 for -2 and to 32 for -10', () => {
    const base = `${'abcdefghij'.repeat(3)}klmno`;
    expect(base).toHaveLength(MAX_USERNAME_LENGTH);
    const taken = [base.toLowerCase()];
    expect(chooseUsername(base, takenFrom(taken), FALLBACK)).toBe(`${base.slice(0, 33)}-2`);
    for (let n = 2; n <= 9; n += 1) taken.push(`${base.slice(0, 33)}-${n}`);
    const tenth = chooseUsername(base, takenFrom(taken), FALLBACK);
    expect(tenth).toBe(`${base.slice(0, 32)}-10`);
    expect(tenth).toHaveLength(MAX_USERNAME_LENGTH);
  });

  it.each([`${'a'.repeat(32)}-b`, `${'a'.repeat(32)}.b`, `${'a'.repeat(31)}._b`])(
    'never leaves a separator before the suffix when cutting %j',
    (base) => {
      expect(base.length).toBeLessThanOrEqual(34);
      expect(chooseUsername(base, takenFrom([base]), FALLBACK)).toBe(
        `${base.slice(0, 33).replace(/[._-]+$/, '')}-2`,
      );
    },
  );

  it('cuts a too-long base to 35 before trying it', () => {
    expect(chooseUsername('b'.repeat(50), nothingTaken, FALLBACK)).toBe('b'.repeat(35));
  });

  it.each([
    ['admin', 'admin-2'],
    ['api', 'api-2'],
    ['Admin', 'Admin-2'],
    ['bob.keys', 'bob.keys-2'],
  ])('skips the reserved name %j', (base, username) => {
    expect(chooseUsername(base, nothingTaken, FALLBACK)).toBe(username);
  });

  it.each(['', '-', '.', '..', '_-.'])('uses the fallback for the base %j', (base) => {
    expect(chooseUsername(base, nothingTaken, FALLBACK)).toBe(FALLBACK);
  });

  it('numbers the fallback too', () => {
    expect(chooseUsername('', takenFrom([FALLBACK]), FALLBACK)).toBe(`${FALLBACK}-2`);
  });

  it('gives up after MAX_USERNAME_CANDIDATES candidates', () => {
    let calls = 0;
    const everythingTaken = (): boolean => {
      calls += 1;
      return true;
    };
    expect(() => chooseUsername('alice', everythingTaken, FALLBACK)).toThrow(UsernameExhaustedError);
    expect(calls).toBe(MAX_USERNAME_CANDIDATES);
  });

  it('finds the last candidate within the bound', () => {
    const last = `alice-${MAX_USERNAME_CANDIDATES}`;
    expect(chooseUsername('alice', (lowerName) => lowerName !== last, FALLBACK)).toBe(last);
  });

  it('refuses a base or fallback Gogs could never accept', () => {
    expect(() => chooseUsername('zoë', nothingTaken, FALLBACK)).toThrow(RangeError);
    expect(() => chooseUsername('', nothingTaken, '')).toThrow(RangeError);
  });

  it('is deterministic', () => {
    const isTaken = takenFrom(['carol', 'carol-2']);
    const first = chooseUsername('carol', isTaken, FALLBACK);
    expect(chooseUsername('carol', isTaken, FALLBACK)).toBe(first);
    expect(first).toBe('carol-3');
  });
});

describe('fallbackUsername', () => {
  it('takes the first 8 hex digits of the object id, lower-cased', () => {
    expect(fallbackUsername(OBJECT_ID)).toBe(FALLBACK);
    expect(fallbackUsername('0a1b2c3d4e5f60718293a4b5c6d7e8f9')).toBe('user-0a1b2c3d');
  });

  it('removes dashes before taking 8 digits', () => {
    expect(fallbackUsername('0a1b-2c3d-4e5f')).toBe('user-0a1b2c3d');
  });

  it.each(['', 'not-a-guid', '0a1b2c3'])('refuses %j', (objectId) => {
    expect(() => fallbackUsername(objectId)).toThrow(RangeError);
  });

  it('is an acceptable Gogs name', () => {
    expect(usernameProblem(fallbackUsername(OBJECT_ID))).toBeUndefined();
  });
});

describe('deriveUsername', () => {
  it('derives from a mailNickname', () => {
    expect(deriveUsername({ objectId: OBJECT_ID, attributeValue: 'Zoë.Ångström' }, nothingTaken)).toEqual({
      ok: true,
      username: 'zoe.angstrom',
    });
  });

  it('derives from the local part of a UPN or mail', () => {
    const result = deriveUsername(
      { objectId: OBJECT_ID, attributeValue: 'Sean.OBrien@contoso.com' },
      nothingTaken,
    );
    expect(result).toEqual({ ok: true, username: 'sean.obrien' });
  });

  it('derives a guest from the mailNickname or the UPN the same way', () => {
    const fromNickname = deriveUsername(
      { objectId: OBJECT_ID, attributeValue: 'alice_contoso.com#EXT#' },
      nothingTaken,
    );
    const fromUpn = deriveUsername(
      { objectId: OBJECT_ID, attributeValue: 'alice_contoso.com#EXT#@fabrikam.onmicrosoft.com' },
      nothingTaken,
    );
    expect(fromNickname).toEqual({ ok: true, username: 'alice_contoso.com' });
    expect(fromUpn).toEqual(fromNickname);
  });

  it.each([null, undefined, '', '山田太郎', '@contoso.com'])(
    'falls back to the object id for %j',
    (value) => {
      expect(deriveUsername({ objectId: OBJECT_ID, attributeValue: value }, nothingTaken)).toEqual({
        ok: true,
        username: FALLBACK,
      });
    },
  );

  it('adds a suffix on collision with another identity or an unmanaged account', () => {
    const result = deriveUsername({ objectId: OBJECT_ID, attributeValue: 'Admin' }, takenFrom(['admin-2']));
    expect(result).toEqual({ ok: true, username: 'admin-3' });
  });

  it('lets an override win, keeping its case', () => {
    const result = deriveUsername(
      { objectId: OBJECT_ID, attributeValue: 'alice', override: 'Alice.Legacy' },
      takenFrom(['alice']),
    );
    expect(result).toEqual({ ok: true, username: 'Alice.Legacy' });
  });

  it.each([
    ['', 'empty'],
    ['zoë', 'charset'],
    ['a'.repeat(36), 'tooLong'],
    ['Admin', 'reserved'],
    ['bob.keys', 'reservedPattern'],
  ])('reports the override %j instead of altering it (%s)', (override, problem) => {
    const result = deriveUsername({ objectId: OBJECT_ID, attributeValue: 'alice', override }, nothingTaken);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(`(${problem})`);
  });

  it('reports an override whose name is taken, asking in lower case', () => {
    const result = deriveUsername(
      { objectId: OBJECT_ID, attributeValue: 'alice', override: 'Bob' },
      takenFrom(['bob']),
    );
    expect(result).toEqual({ ok: false, reason: 'usernameOverrides pins "Bob", which is already taken' });
  });

  it('reports an object id that cannot give a fallback', () => {
    const result = deriveUsername({ objectId: 'nope', attributeValue: 'alice' }, nothingTaken);
    expect(result.ok).toBe(false);
  });

  it('reports running out of candidates', () => {
    const result = deriveUsername({ objectId: OBJECT_ID, attributeValue: 'alice' }, () => true);
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('no free username') });
  });

  it('gives the same answer for the same inputs', () => {
    const input = { objectId: OBJECT_ID, attributeValue: 'Ærøskøbing Ølstykke' };
    const isTaken = takenFrom(['aeroskobing-olstykke']);
    expect(deriveUsername(input, isTaken)).toEqual(deriveUsername(input, isTaken));
    expect(deriveUsername(input, isTaken)).toEqual({ ok: true, username: 'aeroskobing-olstykke-2' });
  });
});
