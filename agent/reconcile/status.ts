import { appKey, type Deployment, type StateData } from '../../state/index.ts';
import type { ManifestProblem } from '../manifest/index.ts';
import type { DesiredRepo } from './desired.ts';
import type { Observed } from './plan.ts';

export type SyncStatus = 'Synced' | 'OutOfSync' | 'Unknown';
export type HealthStatus = 'Healthy' | 'Progressing' | 'Degraded' | 'Missing' | 'Unknown';

export interface AppStatus {
  name: string;
  sync: SyncStatus;
  health: HealthStatus;
  /** Revision of the release that serves now. */
  appliedRevision?: string;
  release?: string;
  urls: string[];
  lastAttempt?: Pick<Deployment, 'id' | 'revision' | 'status' | 'reason' | 'message' | 'startedAt' | 'finishedAt'>;
  /** Why the agent is deliberately not acting on this app. */
  held?: string;
  /** Set while `nexus rollback` holds the app at a recorded release. */
  pinned?: { deployment: string; release?: string; revision: string; at: string };
  /** The last successful deployment (what was last applied), kept apart from the last attempt. */
  lastApplied?: Pick<Deployment, 'id' | 'revision' | 'finishedAt'>;
  /** How the branch head's image is built and why: "Dockerfile …" or what detection found. */
  build?: string;
}

export interface RepoStatus {
  name: string;
  url: string;
  branch: string;
  revision?: string;
  checkedAt?: string;
  error?: string;
  problems?: ManifestProblem[];
  apps: AppStatus[];
}

export interface StatusReport {
  repos: RepoStatus[];
  /** Databases whose app is gone from git: kept (prune never drops data) until `nexus db drop`. */
  orphanedDatabases?: { repo: string; app: string; database: string }[];
}

export interface StatusInput {
  repos: { name: string; url: string; branch: string }[];
  snapshots: Map<string, DesiredRepo>;
  observed: Observed;
  state: StateData;
  held: Map<string, string>;
  /** Apps with an operation running now. */
  busy: Set<string>;
  /** Builds the public URL of a domain (scheme, port). */
  urlOf: (domain: string) => string;
}

/** Builds the status report (pure) from the last observation and the state store. */
export function buildStatus(input: StatusInput): StatusReport {
  const wanted = new Set<string>();
  for (const snapshot of input.snapshots.values()) {
    if (snapshot.kind === 'valid') {
      for (const app of snapshot.apps) {
        if (app.spec.database) wanted.add(appKey(app.repo, app.app));
      }
    } else {
      // An invalid manifest says nothing about which apps are gone: none of its databases is called orphaned.
      for (const key of Object.keys(input.state.databases ?? {})) if (key.startsWith(`${snapshot.repo}/`)) wanted.add(key);
    }
  }
  // A configured repo not fetched yet is unknown, not empty.
  for (const repo of input.repos) {
    if (!input.snapshots.has(repo.name)) for (const key of Object.keys(input.state.databases ?? {})) if (key.startsWith(`${repo.name}/`)) wanted.add(key);
  }
  const orphaned = Object.entries(input.state.databases ?? {})
    .filter(([key]) => !wanted.has(key))
    .map(([key, record]) => ({ repo: key.slice(0, key.indexOf('/')), app: key.slice(key.indexOf('/') + 1), database: record.database }));
  return {
    ...(orphaned.length > 0 ? { orphanedDatabases: orphaned } : {}),
    repos: input.repos.map((repo) => {
      const snapshot = input.snapshots.get(repo.name);
      const record = input.state.repos[repo.name];
      const appNames = new Set<string>();
      if (snapshot?.kind === 'valid') for (const app of snapshot.apps) appNames.add(app.app);
      for (const container of input.observed.containers) if (container.repo === repo.name) appNames.add(container.app);
      return {
        name: repo.name,
        url: redactUrl(repo.url),
        branch: repo.branch,
        revision: record?.revision,
        checkedAt: record?.checkedAt,
        error: record?.error,
        problems: snapshot?.kind === 'invalid' ? snapshot.problems : undefined,
        apps: [...appNames].sort().map((name) => appStatus(repo.name, name, snapshot, input)),
      };
    }),
  };
}

function appStatus(repo: string, name: string, snapshot: DesiredRepo | undefined, input: StatusInput): AppStatus {
  const key = appKey(repo, name);
  const desired = snapshot?.kind === 'valid' ? snapshot.apps.find((app) => app.app === name) : undefined;
  const containers = input.observed.containers.filter((container) => container.repo === repo && container.app === name);
  const route = input.observed.routes.find((item) => item.header?.repo === repo && item.header.app === name);
  const serving = containers.find((container) => container.state === 'running' && container.release === route?.header?.release)
    ?? containers.find((container) => container.state === 'running');
  const history = input.state.deployments.filter((deployment) => deployment.repo === repo && deployment.app === name);
  const last = history.at(-1);
  const applied = [...history].reverse().find((deployment) => deployment.status === 'success');
  const pin = input.state.pins?.[key];
  const pinnedDeployment = pin && input.state.deployments.find((deployment) => deployment.id === pin.deploymentId);

  let sync: SyncStatus = 'Unknown';
  if (snapshot?.kind === 'valid') {
    // Pinned by a rollback: in sync when the pinned release serves.
    const target = pinnedDeployment?.specHash ?? desired?.specHash;
    sync = desired && serving?.specHash === target ? 'Synced' : 'OutOfSync';
  }
  let health: HealthStatus = serving ? 'Healthy' : containers.length > 0 ? 'Degraded' : 'Missing';
  if (input.busy.has(key)) health = 'Progressing';

  return {
    name,
    sync,
    health,
    appliedRevision: serving?.revision,
    release: serving?.release,
    urls: (desired?.spec.domains ?? []).map(input.urlOf),
    ...(desired ? { build: desired.build.explanation } : {}),
    lastAttempt: last && {
      id: last.id, revision: last.revision, status: last.status, reason: last.reason,
      message: last.message, startedAt: last.startedAt, finishedAt: last.finishedAt,
    },
    held: input.held.get(key),
    pinned: pin && pinnedDeployment && { deployment: pin.deploymentId, release: pinnedDeployment.release, revision: pinnedDeployment.revision, at: pin.at },
    lastApplied: applied && { id: applied.id, revision: applied.revision, finishedAt: applied.finishedAt },
  };
}

/** Drops any user:password from a URL before it is shown. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}
