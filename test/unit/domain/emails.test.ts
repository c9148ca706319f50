import { describe, expect, it } from 'vitest';
import { emailKey, gogsEmailFor, MAX_EMAIL_LENGTH, passesGogsEmailRule } from '../../../src/domain/emails.js';

// go-macaron/binding v1.2.0 binding.go EmailPattern, transcribed as the oracle (spec §1.4).
const GO_MACARON_EMAIL_PATTERN =
  /[\w!#$%&'*+/=?^_`{|}~-]+(?:\.[\w!#$%&'*+/=?^_`{|}~-]+)*@(?:[\w](?:[\w-]*[\w])?\.)+[a-zA-Z0-9](?:[\w-]*[\w])?/;

function emailOfLength(length: number): string {
  const domain = '@contoso.com';
  return `${'a'.repeat(length - domain.length)}${domain}`;
}

describe('passesGogsEmailRule', () => {
  it.each([
    'alice@contoso.com',
    'Alice.Smith@Contoso.COM',
    "o'brien@contoso.com",
    'first.last+tag@mail.contoso.co.uk',
    'a@b.c',
    'a@1.2',
    'a@b_c.de',
    'a@b-c.de',
    'a@b--c.de',
    'a@b._c.d',
    'a@b.c_',
    'a@b.co.',
    'junk a@b.co junk',
    '<a@b.co>',
    'a b@c.de',
    'a.@b.co x@y.z',
    'a@b.c@d',
    'ü a@b.co',
  ])('passes %j', (value) => {
    expect(passesGogsEmailRule(value)).toBe(true);
  });

  it.each([
    '',
    'not-an-email',
    'x@localhost',
    'alice@contoso',
    '@b.co',
    'a@.co',
    'a@b.',
    'a@b._',
    'a@-b.co',
    'a@b-.co',
    'a@b.-c',
    'a.@b.co',
    'a@@b.co',
    'ü@b.co',
    'a@ü.co',
    'a@b.é',
    'a @b.co',
    'a@ b.co',
  ])('fails %j', (value) => {
    expect(passesGogsEmailRule(value)).toBe(false);
  });

  it('agrees with the go-macaron pattern on random strings', () => {
    const tokens = ['a', 'Z7', '_', '-', '.', '@', '!', ' ', 'é', 'x.', '.y', 'b-', '-c', 'a@b', '@d.', '_.'];
    let state = 0x9e3779b9;
    const next = (): number => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      return state;
    };
    let passing = 0;
    for (let i = 0; i < 20_000; i += 1) {
      let value = '';
      const length = next() % 9;
      for (let j = 0; j < length; j += 1) value += tokens[next() % tokens.length];
      const expected = GO_MACARON_EMAIL_PATTERN.test(value);
      expect(passesGogsEmailRule(value), JSON.stringify(value)).toBe(expected);
      if (expected) passing += 1;
    }
    expect(passing).toBeGreaterThan(500);
    expect(passing).toBeLessThan(18_000);
  });

  it('stays fast on long hostile input', () => {
    const hostile = `${'a'.repeat(20_000)}@${'b-'.repeat(20_000)}`;
    expect(passesGogsEmailRule(hostile)).toBe(false);
  });
});

describe('gogsEmailFor', () => {
  it('uses mail, trimmed, keeping its case', () => {
    expect(
      gogsEmailFor({
        mail: '  Alice.Smith@Contoso.com ',
        userPrincipalName: 'alice@contoso.onmicrosoft.com',
      }),
    ).toBe('Alice.Smith@Contoso.com');
  });

  it.each([null, undefined, '', '   '])('falls back to the UPN when mail is %j', (mail) => {
    expect(gogsEmailFor({ mail, userPrincipalName: 'bob@contoso.com', userType: 'Member' })).toBe(
      'bob@contoso.com',
    );
  });

  it("uses a guest's mail", () => {
    const guest = {
      mail: 'alice@contoso.com',
      userPrincipalName: 'alice_contoso.com#EXT#@fabrikam.onmicrosoft.com',
      userType: 'Guest',
    };
    expect(gogsEmailFor(guest)).toBe('alice@contoso.com');
  });

  it.each([
    { mail: null, userPrincipalName: 'alice_contoso.com#EXT#@fabrikam.onmicrosoft.com', userType: 'Guest' },
    { mail: null, userPrincipalName: 'alice_contoso.com#EXT#@fabrikam.onmicrosoft.com', userType: null },
    { mail: null, userPrincipalName: 'alice_contoso.com#ext#@fabrikam.onmicrosoft.com', userType: 'Member' },
    { mail: '', userPrincipalName: 'carol@fabrikam.com', userType: 'Guest' },
    { mail: null, userPrincipalName: 'carol@fabrikam.com', userType: 'guest' },
  ])('never uses the UPN of a guest: %j', (user) => {
    expect(gogsEmailFor(user)).toBeUndefined();
  });

  it('is undefined for a user with no email at all', () => {
    expect(gogsEmailFor({})).toBeUndefined();
    expect(gogsEmailFor({ mail: null, userPrincipalName: null, userType: null })).toBeUndefined();
  });

  it('does not fall through to the UPN when mail is present but refused', () => {
    expect(gogsEmailFor({ mail: 'x@localhost', userPrincipalName: 'x@contoso.com' })).toBeUndefined();
  });

  it('refuses a UPN that fails the Email rule', () => {
    expect(gogsEmailFor({ userPrincipalName: 'dave@contoso' })).toBeUndefined();
  });

  it('keeps MaxSize(254), counted in code points', () => {
    expect(MAX_EMAIL_LENGTH).toBe(254);
    expect(gogsEmailFor({ mail: emailOfLength(254) })).toBe(emailOfLength(254));
    expect(gogsEmailFor({ mail: emailOfLength(255) })).toBeUndefined();
    const astral = `${'😀'.repeat(240)} a@b.co`;
    expect(astral.length).toBeGreaterThan(254);
    expect(gogsEmailFor({ mail: astral })).toBe(astral);
  });

  it('trims like Go: U+0085 is space, U+FEFF is not', () => {
    expect(gogsEmailFor({ mail: '\u0085a@b.co\u3000' })).toBe('a@b.co');
    expect(gogsEmailFor({ mail: '\ufeffa@b.co' })).toBe('\ufeffa@b.co');
  });

  it('passes an address Gogs accepts though it is odd, as Gogs does', () => {
    expect(gogsEmailFor({ mail: 'junk a@b.co junk' })).toBe('junk a@b.co junk');
  });
});

describe('emailKey', () => {
  it('compares addresses case-insensitively', () => {
    expect(emailKey('Alice.Smith@Contoso.COM')).toBe(emailKey('alice.smith@contoso.com'));
    expect(emailKey('Alice.Smith@Contoso.COM')).toBe('alice.smith@contoso.com');
  });

  it('trims', () => {
    expect(emailKey(' bob@contoso.com\n')).toBe('bob@contoso.com');
  });

  it("lower-cases code point by code point, like Go's strings.ToLower", () => {
    expect(emailKey('İ@b.co')).toBe('i@b.co');
    expect(emailKey('ΣΑΣ@b.co')).toBe('σασ@b.co');
    expect(emailKey('ÅSA@b.co')).toBe('åsa@b.co');
  });

  it('is idempotent', () => {
    const key = emailKey(' Zoë.Ångström@Contoso.com ');
    expect(emailKey(key)).toBe(key);
  });
});
