import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Delivery } from './delivery.js';
import type { Directory } from './directory.js';
import type { Entra } from './entra.js';
import type { Faults } from './faults.js';
import type { Tenant } from './seed.js';
import type { SubscriptionStore } from './subscriptions.js';
import type { AppPrincipal } from './types.js';

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  body: string;
  /** The calling app (from a valid Graph token); null on unauthenticated routes. */
  app: AppPrincipal | null;
}

export interface Route {
  method: string;
  /** Path template: `{name}` matches one segment (URL-decoded). */
  template: string;
  /** Graph routes need a valid token carrying one of `roles`. */
  auth: 'graph' | 'none';
  roles?: string[];
  handle(ctx: Ctx): Promise<void> | void;
}

/** Everything one emulator instance owns; `tenant` is replaced on reset, so read it at call time. */
export interface Emulator {
  readonly baseUrl: string;
  tenant: Tenant;
  readonly entra: Entra;
  readonly subscriptions: SubscriptionStore;
  readonly delivery: Delivery;
  readonly faults: Faults;
  readonly calls: Map<string, number>;
  readonly directory: Directory;
  reset(): Promise<void>;
}

export const ROLES = {
  userRead: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  userWrite: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
  groupRead: [
    'Group.Read.All',
    'GroupMember.Read.All',
    'Group.ReadWrite.All',
    'GroupMember.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
  groupWrite: ['Group.ReadWrite.All', 'Directory.ReadWrite.All'],
  memberWrite: ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'],
  directoryRead: ['Directory.Read.All', 'Directory.ReadWrite.All', 'User.Read.All', 'Group.Read.All'],
  /** Another user's `transitiveMemberOf`: User.Read.All, or a Directory, Group or GroupMember read role. */
  membershipRead: [
    'User.Read.All',
    'User.ReadWrite.All',
    'GroupMember.Read.All',
    'GroupMember.ReadWrite.All',
    'Group.Read.All',
    'Group.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ],
  any: [] as string[],
};
