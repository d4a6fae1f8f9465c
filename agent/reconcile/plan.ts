import { renderServerBlock, routeFileName, type ObservedRoute } from '../proxy/index.ts';
import type { ObservedContainer } from '../runtime/index.ts';
import { appKey, type FailedSpec } from '../../state/index.ts';
import type { DesiredApp, DesiredRepo } from './desired.ts';

/** What one observation pass found on the host. */
export interface Observed {
  containers: ObservedContainer[];
  routes: ObservedRoute[];
}

export interface PlanInput {
  /** The latest snapshot of every configured repo that has been fetched. */
  desired: DesiredRepo[];
  /** Names of the repos in the agent config; anything else is pruned. */
  configuredRepos: string[];
  observed: Observed;
  /** Specs that failed before: not retried until they change. */
  failed: Record<string, FailedSpec>;
  /** nginx `listen` argument for generated server blocks. */
  listen: string;
}

/** One step towards the desired state, with the reason a human reads. */
export type Action =
  | { kind: 'deploy'; repo: string; app: string; reason: string; desired: DesiredApp; replaces: ObservedContainer[] }
  | { kind: 'write-route'; repo: string; app: string; reason: string; file: string; content: string }
  | { kind: 'remove-route'; repo: string; app: string; reason: string; file: string }
  | { kind: 'remove-container'; repo: string; app: string; reason: string; container: ObservedContainer };

/** An app the plan deliberately leaves alone, and why. */
export interface Hold {
  repo: string;
  app: string;
  reason: string;
}

export interface Plan {
  actions: Action[];
  held: Hold[];
}

/**
 * Compares desired and observed state and returns the actions that
 * converge them. Pure: no I/O, no clock, no randomness; the same input
 * always gives the same plan, and a converged host gives an empty one.
 */
export function plan(input: PlanInput): Plan {
  const actions: Action[] = [];
  const held: Hold[] = [];
  const containersByApp = groupBy(input.observed.containers, (container) => appKey(container.repo, container.app));
  const routesByFile = new Map(input.observed.routes.map((route) => [route.file, route]));
  const claimedApps = new Set<string>();

  for (const repo of input.desired) {
    if (repo.kind === 'invalid') {
      // An invalid manifest never changes what runs: keep all its apps as they are.
      for (const container of input.observed.containers) if (container.repo === repo.repo) claimedApps.add(appKey(container.repo, container.app));
      for (const route of input.observed.routes) if (routeOwner(route.file)?.repo === repo.repo) claimedApps.add(appKeyOfRoute(route.file));
      continue;
    }
    for (const app of repo.apps) {
      const key = appKey(app.repo, app.app);
      claimedApps.add(key);
      const outcome = planApp(app, containersByApp.get(key) ?? [], routesByFile.get(routeFileName(app.repo, app.app)), input);
      actions.push(...outcome.actions);
      if (outcome.hold) held.push(outcome.hold);
    }
  }

  actions.push(...planPrune(input, claimedApps));
  return { actions, held };
}

function planApp(app: DesiredApp, containers: ObservedContainer[], route: ObservedRoute | undefined, input: PlanInput): { actions: Action[]; hold?: Hold } {
  const base = { repo: app.repo, app: app.app };
  const current = pickCurrent(containers, app.specHash, route);
  if (!current) {
    const failed = input.failed[appKey(app.repo, app.app)];
    if (failed && failed.specHash === app.specHash) {
      return { actions: [], hold: { ...base, reason: `revision ${short(failed.revision)} failed: ${failed.message} — push a fix, or run \`nexus sync\` to retry` } };
    }
    return { actions: [{ kind: 'deploy', ...base, reason: deployReason(app, containers), desired: app, replaces: containers }] };
  }

  const actions: Action[] = [];
  const file = routeFileName(app.repo, app.app);
  if (app.spec.domains.length === 0) {
    if (route) actions.push({ kind: 'remove-route', ...base, file, reason: 'app has no domains' });
  } else if (current.hostPort !== undefined) {
    const content = renderServerBlock({ ...base, release: current.release, domains: app.spec.domains, listen: input.listen, upstreamPort: current.hostPort });
    if (route?.content !== content) actions.push({ kind: 'write-route', ...base, file, content, reason: routeReason(route, current) });
  }
  for (const container of containers) {
    if (container.id !== current.id) actions.push({ kind: 'remove-container', ...base, container, reason: `old release ${container.release} (${container.state}) left over` });
  }
  return { actions };
}

/** The running container of the desired spec, preferring the one nginx routes to. */
function pickCurrent(containers: ObservedContainer[], specHash: string, route: ObservedRoute | undefined): ObservedContainer | undefined {
  const candidates = containers.filter((container) => container.specHash === specHash && container.state === 'running');
  return candidates.find((container) => container.release === route?.header?.release) ?? [...candidates].sort((a, b) => a.name.localeCompare(b.name))[0];
}

function deployReason(app: DesiredApp, containers: ObservedContainer[]): string {
  const running = containers.find((container) => container.state === 'running');
  if (running) {
    if (running.revision !== app.revision) return `revision ${short(running.revision)} → ${short(app.revision)}`;
    return `spec changed at revision ${short(app.revision)}`;
  }
  const stopped = containers[0];
  if (stopped) return `container ${stopped.name} is ${stopped.state}`;
  return `new app at revision ${short(app.revision)}`;
}

function routeReason(route: ObservedRoute | undefined, current: ObservedContainer): string {
  if (!route) return 'route missing';
  if (!route.header) return 'route file edited by hand';
  if (route.header.release !== current.release || route.header.upstreamPort !== current.hostPort) return `route points to ${route.header.release}, not ${current.release}`;
  return 'route file edited by hand';
}

/** Containers and routes of apps no valid manifest or config claims any more. Databases are never touched here. */
function planPrune(input: PlanInput, claimedApps: Set<string>): Action[] {
  const configured = new Set(input.configuredRepos);
  const fetched = new Set(input.desired.map((repo) => repo.repo));
  const actions: Action[] = [];
  const pruneReason = (repo: string) => (configured.has(repo) ? 'app removed from manifest' : 'repo removed from agent config');
  // A configured repo never fetched yet is unknown, not empty: never prune it.
  const prunable = (repo: string, key: string) => !claimedApps.has(key) && (!configured.has(repo) || fetched.has(repo));

  for (const route of input.observed.routes) {
    const owner = routeOwner(route.file);
    if (owner && prunable(owner.repo, appKeyOfRoute(route.file))) {
      actions.push({ kind: 'remove-route', ...owner, file: route.file, reason: pruneReason(owner.repo) });
    }
  }
  for (const container of input.observed.containers) {
    if (prunable(container.repo, appKey(container.repo, container.app))) {
      actions.push({ kind: 'remove-container', repo: container.repo, app: container.app, container, reason: pruneReason(container.repo) });
    }
  }
  return actions;
}

function routeOwner(file: string): { repo: string; app: string } | undefined {
  const match = /^nexus--(.+)--(.+)\.conf$/.exec(file);
  return match ? { repo: match[1]!, app: match[2]! } : undefined;
}

function appKeyOfRoute(file: string): string {
  const owner = routeOwner(file);
  return owner ? appKey(owner.repo, owner.app) : file;
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return groups;
}

function short(revision: string): string {
  return revision.slice(0, 7);
}
