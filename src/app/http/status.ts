import type { ResidualAccess } from '../../domain/actions.js';
import type { IdentityRecord } from '../../domain/types.js';
import type {
  AuditEntry,
  FailureRecord,
  HeldRecord,
  PauseState,
  RunRecord,
  SubscriptionRecord,
} from '../../state/index.js';
import { type LogSink, queueDepths, subscriptionState } from '../telemetry.js';
import { type ApiResult, ok } from './apiResult.js';
import { type WatchdogFinding, watchdogFindings } from './watchdog.js';
import type { TriggerResult } from './watchdogTrigger.js';
import type { WebhookCounts } from './webhookCounters.js';

const RECENT_FAILURES = 20;
const RESIDUAL_USERS = 100;
const KINDS = ['reconcile', 'catchUp', 'reassert', 'renew'] as const;

export interface StatusDeps {
  now: number;
  reconcileGapMs: number | undefined;
  catchUpGapMs: number | undefined;
  budget: { limit(managedUsers: number): number; windowMs: number; used(): Promise<number> };
  subscriptions(): Promise<SubscriptionRecord[]>;
  latestRun(kind: string, which: 'started' | 'succeeded'): Promise<RunRecord | undefined>;
  depth(): Promise<{ changes: number; poison: number }>;
  held(): Promise<HeldRecord[]>;
  pause(): Promise<PauseState>;
  failures(): Promise<FailureRecord[]>;
  identities(): Promise<IdentityRecord[]>;
  /** Audit records of the last days that carry residual access, newest first. */
  residualRecords(): Promise<AuditEntry[]>;
  webhook(): Promise<WebhookCounts>;
  reconcileLease(): Promise<{ owner: string; expiresAt: number } | undefined>;
  trigger(findings: readonly WatchdogFinding[]): Promise<TriggerResult[]>;
  /** Where the alerts' events go (queue depths, subscription state); none when absent. */
  log?: LogSink;
}

/**
 * `GET /api/status` (DESIGN §3.3, §3.4, §6): subscriptions and expiry, last runs with their ages,
 * queue and poison depth, guard (`tripped` with held actions or a spent budget), pause, recent
 * failures, residual access, webhook counters and alarms, and the watchdog, which also enqueues a
 * deduplicated renew, reconcile or catch-up. Each section is read on its own: one failing read is
 * reported under `errors` instead of failing the whole answer.
 */
export async function buildStatus(deps: StatusDeps): Promise<ApiResult> {
  const errors: { section: string; message: string }[] = [];
  const read = async <T>(section: string, work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (error) {
      errors.push({ section, message: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
  };
  const [subscriptions, runs, depth, held, pause, failures, identities, residual, webhook, lease, used] =
    await Promise.all([
      read('subscriptions', deps.subscriptions),
      read('runs', async () => {
        const pairs = await Promise.all(
          KINDS.map(
            async (kind) =>
              [
                kind,
                {
                  started: await deps.latestRun(kind, 'started'),
                  succeeded: await deps.latestRun(kind, 'succeeded'),
                },
              ] as const,
          ),
        );
        return Object.fromEntries(pairs) as Record<
          (typeof KINDS)[number],
          { started?: RunRecord | undefined; succeeded?: RunRecord | undefined }
        >;
      }),
      read('queue', deps.depth),
      read('held', deps.held),
      read('paused', deps.pause),
      read('failures', deps.failures),
      read('identities', deps.identities),
      read('residualAccess', deps.residualRecords),
      read('webhook', deps.webhook),
      read('leases', deps.reconcileLease),
      read('budget', deps.budget.used),
    ]);

  const findings =
    subscriptions && runs
      ? watchdogFindings({
          now: deps.now,
          subscriptions,
          reconcileGapMs: deps.reconcileGapMs,
          catchUpGapMs: deps.catchUpGapMs,
          reconcile: runs.reconcile,
          catchUp: runs.catchUp,
        })
      : [];
  const triggered = (await read('watchdog', () => deps.trigger(findings))) ?? [];
  if (deps.log) reportEvents(deps.log, depth, subscriptions);

  const managedUsers = identities?.filter((identity) => identity.status === 'active').length ?? 0;
  const limit = deps.budget.limit(managedUsers);
  const waiting = held?.filter((record) => record.status === 'held') ?? [];
  const tripped = waiting.length > 0 || (used !== undefined && used >= limit);
  return ok({
    at: iso(deps.now),
    paused: pause ?? null,
    subscriptions:
      subscriptions?.map((s) => ({
        id: s.id,
        resource: s.resource,
        changeType: s.changeType,
        expiresAt: iso(s.expiresAt),
        expiresInHours: hours(s.expiresAt - deps.now),
        clientStateVersion: s.clientStateVersion,
        renewedAt: s.renewedAt === undefined ? undefined : iso(s.renewedAt),
      })) ?? null,
    runs: runs ? Object.fromEntries(KINDS.map((kind) => [kind, runSummary(runs[kind], deps.now)])) : null,
    reconcileLease: lease ? { owner: lease.owner, expiresAt: iso(lease.expiresAt) } : null,
    queue: depth ?? null,
    guard: {
      state: tripped ? 'tripped' : 'ok',
      budget: { used: used ?? null, limit, windowMs: deps.budget.windowMs, managedUsers },
      held: waiting.length,
      oldestHeldAt: waiting[0] ? iso(waiting[0].heldAt) : null,
    },
    failures: failures ? { count: failures.length, recent: failures.slice(0, RECENT_FAILURES) } : null,
    residualAccess: identities ? residualSummary(identities, residual ?? []) : null,
    webhook: webhook ?? null,
    watchdog: { healthy: findings.length === 0, findings, triggered },
    errors,
  });
}

/** The watchdog check's events: both queue depths and the newest subscription per resource. */
function reportEvents(
  log: LogSink,
  depth: { changes: number; poison: number } | undefined,
  subscriptions: SubscriptionRecord[] | undefined,
) {
  if (depth) queueDepths(log, depth);
  if (!subscriptions) return;
  for (const resource of ['users', 'groups'] as const) {
    const newest = subscriptions
      .filter((s) => s.resource.replace(/^\//, '').toLowerCase() === resource)
      .sort((a, b) => b.expiresAt - a.expiresAt)[0];
    subscriptionState(log, {
      resource,
      subscriptionId: newest?.id ?? null,
      expiresAt: newest ? iso(newest.expiresAt) : null,
    });
  }
}

function runSummary(
  runs: { started?: RunRecord | undefined; succeeded?: RunRecord | undefined },
  now: number,
) {
  const brief = (run: RunRecord | undefined) =>
    run && {
      id: run.id,
      status: run.status,
      startedAt: iso(run.startedAt),
      finishedAt: run.finishedAt === undefined ? undefined : iso(run.finishedAt),
      ageMinutes: Math.round((now - (run.finishedAt ?? run.startedAt)) / 60_000),
      counts: run.counts,
      dryRun: run.dryRun,
    };
  return { lastStarted: brief(runs.started) ?? null, lastSucceeded: brief(runs.succeeded) ?? null };
}

/**
 * Residual access (DESIGN §1.3): every suspended or deleted identity may still hold access tokens
 * (Gogs can't list or revoke them); the latest residual report per user from the recent audit
 * lists what is known (org rows, public repos, private repos, unmanaged teams left in place).
 */
function residualSummary(identities: readonly IdentityRecord[], records: readonly AuditEntry[]) {
  const offboarded = new Map(
    identities.filter((i) => i.status !== 'active').map((identity) => [identity.objectId, identity]),
  );
  const latest = new Map<string, AuditEntry>();
  for (const record of records) {
    if (record.objectId && record.residual && !latest.has(record.objectId))
      latest.set(record.objectId, record);
  }
  const users = [...latest.values()]
    .filter((record) => offboarded.has(record.objectId ?? ''))
    .slice(0, RESIDUAL_USERS)
    .map((record) => {
      const residual = record.residual as Partial<ResidualAccess>;
      return {
        objectId: record.objectId,
        username: record.username,
        at: iso(record.appliedAt),
        accessTokens: residual.accessTokens ?? 'possible',
        orgMemberships: residual.orgMemberships ?? [],
        publicRepos: residual.publicRepos ?? [],
        privateRepos: residual.privateRepos ?? 'unknown',
        collaborations: residual.collaborations ?? 'unknown',
        unmanagedTeams: (residual.unmanagedTeams ?? []).filter((team) => !team.removed),
      };
    });
  const count = (status: string) => identities.filter((i) => i.status === status).length;
  return {
    suspendedUsers: count('suspended'),
    deletedUsers: count('deleted'),
    /** Every suspended account may keep access tokens: only deleting the account revokes them. */
    usersWithPossibleTokens: count('suspended'),
    recent: users,
  };
}

function iso(at: number): string {
  return new Date(at).toISOString();
}

function hours(ms: number): number {
  return Math.round((ms / 3_600_000) * 10) / 10;
}
