import { figures, pickMembershipChange, type StepFigures } from './reconcile.js';
import type { TenantFacts } from './tenantFacts.js';
import type { TenantStack } from './tenantStack.js';

export interface EventCost {
  samples: number;
  graphCalls: number[];
  gogsCalls: number[];
  gogsWrites: number[];
  wallMs: number[];
  /** The least any implementation could do for this event (see docs/performance.md). */
  minimum: { graph: number; gogs: number };
  example: Pick<StepFigures, 'graphByRoute' | 'gogsByRoute' | 'status' | 'counts'>;
}

export interface CostPerEventResult {
  userChange: EventCost;
  membershipAdd: EventCost;
  membershipRemove: EventCost;
}

/**
 * B5: the calls one change costs in the synced large tenant, each handled as the notification's
 * queue message by a fresh worker process: a profile edit, and a user added to (then removed from)
 * a group nested at the deepest level under a mapped group.
 */
export async function costPerEvent(
  stack: TenantStack,
  facts: TenantFacts,
  samples: number,
): Promise<CostPerEventResult> {
  const user: StepFigures[] = [];
  const add: StepFigures[] = [];
  const remove: StepFigures[] = [];
  for (let i = 0; i < samples; i++) {
    const change = pickMembershipChange(stack, facts, i);
    await stack.directory('PATCH', `/users/${change.user}`, {
      displayName: `Edited ${i}`,
      jobTitle: 'Bench',
    });
    user.push(
      figures(await stack.run({ kind: 'user', objectId: change.user, source: 'notification' }, 60_000)),
    );
    const ref = { '@odata.id': `${stack.graph.url}/v1.0/directoryObjects/${change.user}` };
    await stack.directory('POST', `/groups/${change.group}/members/$ref`, ref);
    add.push(
      figures(
        await stack.run(
          {
            kind: 'group',
            objectId: change.group,
            source: 'notification',
            membersDelta: [{ id: change.user }],
          },
          60_000,
        ),
      ),
    );
    await stack.directory('DELETE', `/groups/${change.group}/members/${change.user}/$ref`);
    remove.push(
      figures(
        await stack.run(
          {
            kind: 'group',
            objectId: change.group,
            source: 'notification',
            membersDelta: [{ id: change.user, removed: true }],
          },
          60_000,
        ),
      ),
    );
  }
  // Minimum: a user edit reads the user (with its groups) once and PATCHes Gogs once (after one
  // GET, since Gogs PATCH overwrites omitted fields); a membership change reads that member's
  // groups once and makes one team call.
  return {
    userChange: summarizeEvent(user, { graph: 2, gogs: 2 }),
    membershipAdd: summarizeEvent(add, { graph: 1, gogs: 1 }),
    membershipRemove: summarizeEvent(remove, { graph: 1, gogs: 1 }),
  };
}

function summarizeEvent(steps: StepFigures[], minimum: EventCost['minimum']): EventCost {
  const first = steps[0];
  return {
    samples: steps.length,
    graphCalls: steps.map((s) => s.graphCalls),
    gogsCalls: steps.map((s) => s.gogsCalls),
    gogsWrites: steps.map((s) => s.gogsWrites),
    wallMs: steps.map((s) => s.wallMs),
    minimum,
    example: {
      graphByRoute: first?.graphByRoute ?? {},
      gogsByRoute: first?.gogsByRoute ?? {},
      status: first?.status ?? 'none',
      ...(first?.counts ? { counts: first.counts } : {}),
    },
  };
}
