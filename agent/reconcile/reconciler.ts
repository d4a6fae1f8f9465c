import type { AgentConfig, RepoConfig } from '../config/index.ts';
import { formatProblem } from '../manifest/index.ts';
import { describeError } from '../errors/index.ts';
import { appKey, type Trigger } from '../../state/index.ts';
import { readDesiredRepo, type DesiredRepo } from './desired.ts';
import { plan, type Observed, type Plan } from './plan.ts';
import { applyActions, type ActionOutcome } from './apply.ts';
import { buildStatus, type StatusReport } from './status.ts';
import type { DeployContext } from './cutover.ts';

/** Fetches a repo's branch head; returns the commit id. */
export type FetchHead = (repo: RepoConfig) => Promise<string>;

export interface ReconcilerDeps extends DeployContext {
  config: AgentConfig;
  fetchHead: FetchHead;
}

export interface CycleReport {
  plan: Plan;
  outcomes: ActionOutcome[];
}

export interface Reconciler {
  /** One full pass: fetch the given repos, then observe, plan and apply for all. */
  runCycle(options: { fetch: RepoConfig[]; trigger: Trigger; dryRun?: boolean }): Promise<CycleReport>;
  status(): StatusReport;
  /** Forget failed specs of a repo (an explicit sync retries them). */
  clearFailures(repo: string): Promise<void>;
}

export function createReconciler(deps: ReconcilerDeps): Reconciler {
  const { config, store, log } = deps;
  const snapshots = new Map<string, DesiredRepo>();
  let observed: Observed = { containers: [], routes: [] };
  let held = new Map<string, string>();
  const busy = new Set<string>();

  // 1. Desired: the manifest at each fetched branch head, validated.
  async function refreshDesired(repo: RepoConfig): Promise<void> {
    const checkedAt = deps.now().toISOString();
    try {
      const revision = await deps.fetchHead(repo);
      const desired = await readDesiredRepo({ repo: repo.name, gitdir: deps.gitdirOf(repo.name), revision, manifestPath: repo.manifestPath });
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

  // 2. Observed: one pass over Docker and the agent's nginx folder.
  async function observe(): Promise<Observed> {
    const [containers, routes] = await Promise.all([deps.runtime.listManaged(), deps.proxy.listRoutes()]);
    return { containers, routes };
  }

  return {
    async runCycle({ fetch, trigger, dryRun = false }) {
      for (const repo of fetch) await refreshDesired(repo);
      observed = await observe();

      // 3. Plan: pure.
      const configured = config.repos.map((repo) => repo.name);
      const desired = configured.flatMap((name) => snapshots.get(name) ?? []);
      const result = plan({ desired, configuredRepos: configured, observed, failed: store.read().failed, listen: config.nginx.listen });
      held = new Map(result.held.map((hold) => [appKey(hold.repo, hold.app), hold.reason]));
      if (dryRun) return { plan: result, outcomes: [] };

      // 4. Apply, then observe again so status shows what is true now.
      for (const action of result.actions) busy.add(appKey(action.repo, action.app));
      let outcomes: ActionOutcome[];
      try {
        outcomes = await applyActions(result.actions, deps, trigger);
      } finally {
        busy.clear();
      }
      if (result.actions.length > 0) observed = await observe();
      return { plan: result, outcomes };
    },

    status() {
      return buildStatus({
        repos: config.repos, snapshots, observed, state: store.read(), held, busy,
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

/** The URL a user opens for a domain, given nginx's listen argument. */
export function publicUrl(domain: string, listen: string): string {
  const port = Number(listen.split(':').pop());
  return port === 80 || !Number.isFinite(port) ? `http://${domain}/` : `http://${domain}:${port}/`;
}
