import { randomBytes } from 'node:crypto';

/** A password nobody knows and nothing stores: ends password sign-in (DESIGN §3.6, spec §2.4). */
export function randomPassword(): string {
  return randomBytes(32).toString('base64url');
}
