import { createHash, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/** Gogs stores access tokens as their SHA-256 hex digest (since 0.13.0). */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

export function md5Hex(value: string): string {
  return createHash('md5').update(value, 'utf8').digest('hex');
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

const SALT_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Like Gogs' `strutil.RandomChars(10)` used for `salt` and `rands`. */
export function randomChars(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += SALT_ALPHABET[b % SALT_ALPHABET.length];
  return out;
}

/** PBKDF2-SHA256, 10000 rounds, 50 bytes: Gogs' `User.EncodePassword`. */
export function hashPassword(password: string, salt: string): string {
  return pbkdf2Sync(password, salt, 10_000, 50, 'sha256').toString('hex');
}

export function passwordMatches(password: string, salt: string, hash: string): boolean {
  const candidate = Buffer.from(hashPassword(password, salt), 'hex');
  const stored = Buffer.from(hash, 'hex');
  return candidate.length === stored.length && timingSafeEqual(candidate, stored);
}
