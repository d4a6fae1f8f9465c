import type { AgentConfig, RepoConfig } from '../config/index.ts';
import { formatProblem } from '../manifest/index.ts';
import { describeError } from '../errors/index.ts';
import { appKey, type StateData, type Trigger } from '../../state/index.ts';
import { readDesiredRepo, type DesiredRepo } from './desired.ts';
import { plan, PREREQUISITE_KINDS, type Action, type Observed, type PinnedRelease, type Plan } from './plan.ts';
import { withStateVersions } from './desired.ts';
import { withRetry } from './retry.ts';
import { createFairLimiter } from '../limiter/index.ts';
import { applyAppActions, type ActionOutcome } from './apply.ts';
import { buildStatus, type StatusReport } from './status.ts';
import type { DeployContext } from './cutover.ts';
import { createOperations, type Operations } from './operations.ts';

/** Fetches a repo's branch head; returns the commit id. */
export type FetchHead = (repo: RepoConfig) => Promise<string>;

export interface ReconcilerDeps extends DeployContext {
  config: AgentConfig;
  fetchHead: FetchHead;
  /** Seals secret values for the state store (see agent/secrets). */
  seal?: (plaintext: string) => Promise<string>;
  /** Backoff base for transient failures; default 250 ms. */
  retryBaseMs?: number;
  /** Told how long each cycle (planning and its work) took (metrics). */
  onCycleFinished?: (durationMs: number) => void;
}

export interface CycleReport {
  plan: Plan;
  outcomes: ActionOutcome[];
}

export interface CycleOptions {
  fetch: RepoConfig[];
  trigger: Trigger;
  dryRun?: boolean;
}

export interface Reconciler extends Operations {
  /** One full pass: fetch the given repos, then observe, plan and apply for all; resolves when its work is done. */
  runCycle(options: CycleOptions): Promise<CycleReport>;
  /**
   * The same pass in two phases: resolves once it has planned and started
   * its work, with `done` for the rest. Planning is serialised; the work of
   * earlier cycles may still be running (their apps are skipped until done).
   */
  startCycle(options: CycleOptions): Promise<{ plan: Plan; done: Promise<CycleReport> }>;
  status(): StatusReport;
  /** Forget failed specs of a repo (an explicit sync retries them). */
  clearFailures(repo: string): Promise<void>;
  /** The plan against a fresh observation, without fetching or applying. */
  preview(): Promise<Plan>;
}

export function createReconciler(deps: ReconcilerDeps): Reconciler {
  const { config, store, log } = deps;
  const snapshots = new Map<string, DesiredRepo>();
  let observed: Observed = { containers: [], routes: [] };
  let held = new Map<string, string>();
  // One operation per app: the work in flight, by app key. Later cycles skip these apps.
  const inFlight = new Map<string, Promise<ActionOutcome[]>>();
  // Apps worked on at once, across overlapping cycles, shared fairly between repos.
  const appSlots = createFairLimiter(config.deploy.parallel);
  // Planning is serialised: each plan sees the apps earlier cycles are working on.
  let planning: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(step: () => Promise<T>): Promise<T> => {
    const run = planning.then(step);
    planning = run.catch(() => undefined);
    return run;
  };
  let recovered = false;

  // A deployment still "building" or "deploying" at start-up was cut short
  // by a crash or kill. Its container (if any) is judged by the plan like
  // any other; the record just says what happened. Not a failed spec: the
  // same revision is deployed again.
  async function closeInterruptedDeployments(): Promise<void> {
    const open = store.read().deployments.filter((item) => item.status === 'pending' || item.status === 'building' || item.status === 'deploying');
    if (open.length === 0) return;
    const at = deps.now().toISOString();
    await store.update((state) => {
      for (const item of state.deployments) {
        if (item.status === 'pending' || item.status === 'building' || item.status === 'deploying') {
          Object.assign(item, { status: 'failed', finishedAt: at, message: `interrupted while ${item.status}: the agent stopped during this deploy; it is deployed again` });
        }
      }
    });
    log.warn('closed interrupted deployments', { count: open.length, ids: open.map((item) => item.id).join(',') });
  }

  // 1. Desired: the manifest at each fetched branch head, validated.
  async function refreshDesired(repo: RepoConfig): Promise<void> {
    const checkedAt = deps.now().toISOString();
    try {
      const revision = await withRetry(() => deps.fetchHead(repo), {
        baseDelayMs: deps.retryBaseMs,
        onRetry: (error, attempt, delayMs) => log.warn('fetch failed, retrying', { repo: repo.name, attempt, delayMs, error: describeError(error) }),
      });
      // A revision's manifest never changes: re-read it only when the head moved.
      const known = snapshots.get(repo.name);
      const desired = known?.revision === revision ? known : await readDesiredRepo({ repo: repo.name, gitdir: deps.gitdirOf(repo.name), revision, manifestPath: repo.manifestPath, build: config.build });
      snapshots.set(repo.name, desired);
      const error = desired.kind === 'invalid' ? desired.problems.map(formatProblem).join('\n') : undefined;
      if (error) log.warn('invalid manifest', { repo: repo.name, revision, error });
      await store.update((state) => {
        state.repos[repo.name] = { repo: repo.name, revision, checkedAt, error };
      });
    } catch (error) {
      // A fetch failure keeps the last snapshot: what runs keeps running.
      const message = describeError(error);
      log.warn('fetch failed', { repo: repo.name, error: message });
      await store.update((state) => {
        state.repos[repo.name] = { ...state.repos[repo.name], repo: repo.name, checkedAt, error: message };
      });
    }
  }

  function planNow(): Plan {
    const configured = config.repos.map((repo) => repo.name);
    const state = store.read();
    const effective = effectiveSnapshots(state);
    const desired = configured.flatMap((name) => effective.get(name) ?? []);
    return plan({
      desired, configuredRepos: configured, observed, failed: state.failed, listen: config.nginx.listen, pins: pinnedReleases(state),
      storedSecrets: Object.fromEntries(Object.entries(state.secrets ?? {}).map(([key, values]) => [key, Object.keys(values)])),
      databases: state.databases ?? {},
      inFlight: [...inFlight.keys()],
    });
  }

  // Secret and database versions live in the state, not in git: fold them into each app's spec hash.
  function effectiveSnapshots(state: StateData): Map<string, DesiredRepo> {
    return new Map([...snapshots].map(([name, repo]) => [name, repo.kind === 'valid' ? { ...repo, apps: repo.apps.map((app) => withStateVersions(app, state)) } : repo]));
  }

  function needsDatabase(): boolean {
    return [...snapshots.values()].some((repo) => repo.kind === 'valid' && repo.apps.some((app) => app.spec.database));
  }

  function knownApps(): { repo: string; app: string }[] {
    const keys = new Map<string, { repo: string; app: string }>();
    for (const snapshot of snapshots.values()) if (snapshot.kind === 'valid') for (const item of snapshot.apps) keys.set(appKey(item.repo, item.app), { repo: item.repo, app: item.app });
    for (const item of observed.containers) keys.set(appKey(item.repo, item.app), { repo: item.repo, app: item.app });
    for (const item of store.read().deployments) keys.set(appKey(item.repo, item.app), { repo: item.repo, app: item.app });
    return [...keys.values()];
  }

  // 2. Observed: one pass over Docker and the agent's nginx folder.
  async function observe(options: { dryRun?: boolean } = {}): Promise<Observed> {
    const [containers, routes, databaseServer] = await Promise.all([
      deps.runtime.listManaged(),
      deps.proxy.listRoutes(),
      // Only when some app needs it: an agent without database apps never touches Postgres.
      needsDatabase()
        ? (deps.databases?.observe({ create: !options.dryRun }) ?? Promise.resolve({ reachable: false as const, reason: 'this agent has no database support configured' }))
        : Promise.resolve(undefined),
    ]);
    return { containers, routes, databaseServer };
  }

  // 3. Plan (pure), then start each app's actions as one job (4. apply).
  //    Apps another cycle is still working on are left to it.
  function startJobs(actions: Action[], trigger: Trigger): { jobs: Promise<ActionOutcome[]>[]; deferred: Promise<unknown>[] } {
    const byApp = new Map<string, Action[]>();
    // Apps with work in flight: their actions wait for it, then the app is planned again.
    const deferred = new Set<Promise<unknown>>();
    for (const action of actions) {
      const key = appKey(action.repo, action.app);
      const running = inFlight.get(key);
      if (running) deferred.add(running);
      else byApp.set(key, [...(byApp.get(key) ?? []), action]);
    }
    const jobs = [...byApp].map(([key, appActions]) => {
      const job = appSlots.run(appActions[0]!.repo, () => applyAppActions(appActions, deps, { trigger, retryBaseMs: deps.retryBaseMs }))
        .finally(() => inFlight.delete(key));
      inFlight.set(key, job);
      return job;
    });
    return { jobs, deferred: [...deferred] };
  }

  async function startCycle({ fetch, trigger, dryRun = false }: CycleOptions, pass = 1): Promise<{ plan: Plan; done: Promise<CycleReport> }> {
    const cycleStart = Date.now();
    const { result, jobs, waitFor, deferred } = await exclusive(async () => {
      // Another agent may share the store; and repos are fetched in parallel
      // so one slow or retried git server does not delay the others.
      await store.refresh();
      if (!recovered && !dryRun) {
        await closeInterruptedDeployments();
        // A kill between a route file's rename and nginx's reload leaves a
        // file that plans as converged while nginx serves the old one.
        await deps.proxy.reload?.().catch((error: unknown) => log.warn('nginx reload at start-up failed', { error: describeError(error) }));
        recovered = true;
      }
      await Promise.all(fetch.map(refreshDesired));
      observed = await withRetry(() => observe({ dryRun }), { baseDelayMs: deps.retryBaseMs });
      const planned = planNow();
      held = new Map(planned.held.map((hold) => [appKey(hold.repo, hold.app), hold.reason]));
      if (dryRun) return { result: planned, jobs: [], waitFor: [], deferred: [] };
      // A request for these repos is answered once their apps' work in flight (of any cycle) is done too.
      const fetched = new Set(fetch.map((repo) => repo.name));
      const waitFor = [...inFlight].filter(([key]) => fetched.has(key.split('/')[0]!)).map(([, job]) => job);
      return { result: planned, ...startJobs(planned.actions, trigger), waitFor };
    });

    const done = (async (): Promise<CycleReport> => {
      const outcomes = (await Promise.all(jobs)).flat();
      await Promise.all([...waitFor, ...deferred].map((job) => job.catch(() => undefined)));
      // What this cycle had to leave to another's work in flight (a push landing mid-deploy) is planned again once that is done.
      if (deferred.length > 0 && pass < 3) {
        const next = await startCycle({ fetch: [], trigger }, pass + 1);
        return { plan: result, outcomes: [...outcomes, ...(await next.done).outcomes] };
      }
      if ((jobs.length === 0 && waitFor.length === 0) || dryRun) return { plan: result, outcomes };
      // Observe again so status shows what is true now — also after waiting for another cycle's work, whose own observation may not have landed yet.
      observed = await observe();
      // A prerequisite applied (a database made) changes what the app's
      // deploy depends on: plan again, at most a few passes.
      const prerequisiteApplied = outcomes.some((outcome) => outcome.ok && PREREQUISITE_KINDS.has(outcome.action.kind));
      if (!prerequisiteApplied || pass >= 3) return { plan: result, outcomes };
      const next = await startCycle({ fetch: [], trigger }, pass + 1);
      return { plan: result, outcomes: [...outcomes, ...(await next.done).outcomes] };
    })();
    if (!dryRun && pass === 1) void done.then(() => deps.onCycleFinished?.(Date.now() - cycleStart), () => undefined);
    return { plan: result, done };
  }

  return {
    // Operator commands (rollback, secrets, databases, lookups) on the same state.
    ...createOperations({
      store, log, now: deps.now, seal: deps.seal, databases: deps.databases,
      snapshot: (repo) => snapshots.get(repo),
      serving: (repo, app) => observed.containers.find((item) => item.repo === repo && item.app === app && item.state === 'running'),
      knownApps,
    }),

    async runCycle(options) {
      const { done } = await startCycle(options);
      return done;
    },

    startCycle,

    async preview() {
      // A dry run: nothing is created, not even the platform Postgres.
      observed = await observe({ dryRun: true });
      return planNow();
    },

    status() {
      const state = store.read();
      // Sync compares with the spec hash the plan uses.
      return buildStatus({
        repos: config.repos, snapshots: effectiveSnapshots(state), observed, state, held, busy: new Set(inFlight.keys()),
        urlOf: (domain) => publicUrl(domain, config.nginx.listen),
      });
    },

    async clearFailures(repo) {
      await store.update((state) => {
        for (const key of Object.keys(state.failed)) if (key.startsWith(`${repo}/`)) delete state.failed[key];
      });
    },
  };
}

/** Pins joined with the deployments they hold apps at (a pin whose deployment was trimmed away is ignored). */
function pinnedReleases(state: StateData): Record<string, PinnedRelease> {
  const pins: Record<string, PinnedRelease> = {};
  for (const [key, pin] of Object.entries(state.pins ?? {})) {
    const deployment = state.deployments.find((item) => item.id === pin.deploymentId);
    if (deployment) pins[key] = { pin, deployment };
  }
  return pins;
}

/** The URL a user opens for a domain, given nginx's listen argument. */
export function publicUrl(domain: string, listen: string): string {
  const port = Number(listen.split(':').pop());
  return port === 80 || !Number.isFinite(port) ? `http://${domain}/` : `http://${domain}:${port}/`;
}
