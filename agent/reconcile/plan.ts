import { renderServerBlock, routeFileName, type ObservedRoute } from '../proxy/index.ts';
import type { ObservedContainer } from '../runtime/index.ts';
import { appKey, type DatabaseRecord, type Deployment, type FailedSpec, type Pin } from '../../state/index.ts';
import { pinnedTarget, type DesiredApp, type DesiredRepo } from './desired.ts';

/** What one observation pass found on the host. */
export interface Observed {
  containers: ObservedContainer[];
  routes: ObservedRoute[];
  /** The Postgres server of app databases; looked at only when some app needs one. */
  databaseServer?: ObservedDatabaseServer;
}

export type ObservedDatabaseServer =
  | { reachable: true; databases: string[] }
  | { reachable: false; reason: string };

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
  /** Apps held at a recorded release by `nexus rollback`, with that release's deployment. */
  pins?: Record<string, PinnedRelease>;
  /** Names of the secrets set out of band, per app key. */
  storedSecrets?: Record<string, string[]>;
  /** The databases the agent made, per app key. */
  databases?: Record<string, DatabaseRecord>;
  /** Apps with an operation running now (their deploy may be about to claim a domain). */
  inFlight?: string[];
}

/** A pin and the deployment it holds the app at (which carries the release snapshot). */
export interface PinnedRelease {
  pin: Pin;
  deployment: Deployment;
}

/** One step towards the desired state, with the reason a human reads. */
export type Action =
  | { kind: 'deploy'; repo: string; app: string; reason: string; desired: DesiredApp; replaces: ObservedContainer[] }
  | { kind: 'write-route'; repo: string; app: string; reason: string; file: string; content: string }
  | { kind: 'remove-route'; repo: string; app: string; reason: string; file: string }
  | { kind: 'remove-container'; repo: string; app: string; reason: string; container: ObservedContainer }
  | { kind: 'unpin'; repo: string; app: string; reason: string }
  | { kind: 'ensure-database'; repo: string; app: string; reason: string };

/** Every action kind, for tables and docs. */
export const ACTION_KINDS = ['deploy', 'write-route', 'remove-route', 'remove-container', 'unpin', 'ensure-database'] as const;

/**
 * Kinds that change what later actions of the same app depend on (a new
 * database password changes the spec hash): after applying one, the
 * reconciler plans again in the same cycle rather than acting on a stale plan.
 */
export const PREREQUISITE_KINDS: ReadonlySet<Action['kind']> = new Set(['ensure-database']);

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
    for (const app of repo.apps) claimedApps.add(appKey(app.repo, app.app));
  }

  const refused = refuseDomainConflicts(input);
  for (const repo of input.desired) {
    if (repo.kind === 'invalid') continue;
    for (const app of repo.apps) {
      const key = appKey(app.repo, app.app);
      const refusal = refused.get(key);
      if (refusal) {
        held.push({ repo: app.repo, app: app.app, reason: refusal });
        continue;
      }
      const outcome = planApp(app, containersByApp.get(key) ?? [], routesByFile.get(routeFileName(app.repo, app.app)), input);
      actions.push(...outcome.actions);
      if (outcome.hold) held.push(outcome.hold);
    }
  }

  actions.push(...planPrune(input, claimedApps));
  return { actions, held };
}

function planApp(fromGit: DesiredApp, containers: ObservedContainer[], route: ObservedRoute | undefined, input: PlanInput): { actions: Action[]; hold?: Hold } {
  const base = { repo: fromGit.repo, app: fromGit.app };
  const actions: Action[] = [];
  // A pin (rollback) wins over git until a new commit changes the app.
  let app = fromGit;
  const pinned = input.pins?.[appKey(fromGit.repo, fromGit.app)];
  if (pinned && pinned.pin.gitSpecHash !== fromGit.specHash) {
    actions.push({ kind: 'unpin', ...base, reason: `revision ${short(fromGit.revision)} changes ${fromGit.app}: the rollback pin to release ${pinned.deployment.release ?? pinned.deployment.id} ends` });
  } else if (pinned) {
    const target = pinnedTarget(fromGit, pinned.deployment);
    if (target) app = target;
  }

  const prerequisites = planPrerequisites(app, input);
  if (prerequisites.hold) return { actions, hold: prerequisites.hold };
  if (prerequisites.actions.length > 0) return { actions: [...actions, ...prerequisites.actions] };

  const current = pickCurrent(containers, app.specHash, route);
  if (current && current.drift.length > 0) {
    // Changed by hand: replaced through the normal cutover (the drifted one keeps serving until then).
    actions.push({ kind: 'deploy', ...base, reason: `container ${current.name} drifted from its release: ${current.drift.join(', ')}`, desired: app, replaces: containers });
    return { actions };
  }
  if (!current) {
    const failed = input.failed[appKey(app.repo, app.app)];
    if (failed && failed.specHash === app.specHash) {
      return { actions, hold: { ...base, reason: `revision ${short(failed.revision)} failed: ${failed.message} — push a fix, or run \`nexus sync\` to retry` } };
    }
    actions.push({ kind: 'deploy', ...base, reason: deployReason(app, containers), desired: app, replaces: containers });
    return { actions };
  }

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

/**
 * What must exist before an app can be (re)deployed: every out-of-band
 * secret it references, and its database. A missing secret or an
 * unreachable database server holds the app — what runs keeps running —
 * with a reason that says what to do.
 */
function planPrerequisites(app: DesiredApp, input: PlanInput): { actions: Action[]; hold?: Hold } {
  const base = { repo: app.repo, app: app.app };
  const key = appKey(app.repo, app.app);
  // A rollback target carries its secrets sealed in its release record.
  if (!app.sealedEnv) {
    const have = new Set(input.storedSecrets?.[key] ?? []);
    const missing = Object.entries(app.spec.secrets ?? {}).filter(([, ref]) => ref.kind === 'stored' && !have.has(ref.name));
    if (missing.length > 0) {
      const names = missing.map(([variable, ref]) => (ref.kind === 'stored' && ref.name !== variable ? `${variable} (secret ${ref.name})` : variable));
      const first = missing[0]![1];
      return { actions: [], hold: { ...base, reason: `secret ${names.join(', ')} of app ${app.app} is not set — run \`nexus secret set ${app.app} ${first.kind === 'stored' ? first.name : ''}\` (value on stdin)` } };
    }
  }
  if (!app.spec.database) return { actions: [] };
  const server = input.observed.databaseServer;
  if (!server || !server.reachable) {
    const reason = server && !server.reachable ? server.reason : 'the database server was not observed';
    return { actions: [], hold: { ...base, reason: `app ${app.app} needs its Postgres database, but ${reason} — the running release keeps serving; retried every cycle` } };
  }
  const record = input.databases?.[key];
  if (!record) return { actions: [{ kind: 'ensure-database', ...base, reason: 'app asks for a Postgres database (database: postgres)' }] };
  if (!server.databases.includes(record.database)) return { actions: [{ kind: 'ensure-database', ...base, reason: `database ${record.database} is missing on the server` }] };
  return { actions: [] };
}

/**
 * The running container of the desired spec, preferring the one nginx
 * routes to. A container of the desired spec that nginx does not route to,
 * while nginx routes to another running release of the app, is what a
 * crash between start and switch leaves: its health check never finished,
 * so it is not trusted with traffic — the app is deployed afresh instead.
 */
function pickCurrent(containers: ObservedContainer[], specHash: string, route: ObservedRoute | undefined): ObservedContainer | undefined {
  const candidates = containers.filter((container) => container.specHash === specHash && container.state === 'running');
  const routed = candidates.find((container) => container.release === route?.header?.release);
  if (routed) return routed;
  const routesToAnotherLiveRelease = containers.some((container) => container.state === 'running' && container.release === route?.header?.release);
  if (routesToAnotherLiveRelease) return undefined;
  return [...candidates].sort((a, b) => a.name.localeCompare(b.name))[0];
}

function deployReason(app: DesiredApp, containers: ObservedContainer[]): string {
  const unswitched = containers.find((container) => container.specHash === app.specHash && container.state === 'running');
  if (unswitched && !app.pinnedTo) return `release ${unswitched.release} was started but never switched to (interrupted deploy): deploying again`;
  if (app.pinnedTo) return `rollback pin: release ${app.pinnedTo.release} (revision ${short(app.revision)}, no build)`;
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

/**
 * Two apps (of any repos) claiming one domain: the app whose route serves
 * it now keeps it; otherwise the first by repo/app name. Every other
 * claimant is refused as a whole — never half-deployed — with a reason
 * naming both apps.
 */
function refuseDomainConflicts(input: PlanInput): Map<string, string> {
  const claimants = new Map<string, string[]>();
  for (const repo of input.desired) {
    if (repo.kind === 'invalid') continue;
    for (const app of repo.apps) {
      for (const domain of app.spec.domains) claimants.set(domain, [...(claimants.get(domain) ?? []), appKey(app.repo, app.app)]);
    }
  }
  const servedBy = new Map<string, string>();
  for (const route of input.observed.routes) {
    for (const domain of route.header?.domains ?? []) servedBy.set(domain, appKey(route.header!.repo, route.header!.app));
  }
  const refused = new Map<string, string>();
  for (const [domain, keys] of [...claimants].sort(([a], [b]) => a.localeCompare(b))) {
    if (keys.length < 2) continue;
    // Whoever serves the domain keeps it; else an app whose deploy is under way (and will route it); else the first by name.
    const current = servedBy.get(domain) ?? keys.find((key) => input.inFlight?.includes(key));
    const owner = current && keys.includes(current) ? current : [...keys].sort()[0]!;
    for (const key of keys) {
      if (key !== owner && !refused.has(key)) {
        refused.set(key, `domain ${domain} is already claimed by ${owner}; ${key} is refused — remove ${domain} from one of the two manifests`);
      }
    }
  }
  return refused;
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
