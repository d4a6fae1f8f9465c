/**
 * What the agent remembers that git and Docker cannot tell it. Everything
 * else (what runs, what routes exist) is observed afresh every cycle.
 */

export type DeploymentStatus = 'pending' | 'building' | 'deploying' | 'success' | 'failed' | 'rolled_back';
export type Trigger = 'poll' | 'webhook' | 'manual' | 'startup';

/** One attempt to bring an app to a revision. */
export interface Deployment {
  id: string;
  repo: string;
  app: string;
  revision: string;
  specHash: string;
  trigger: Trigger;
  /** Why the plan asked for it, in words. */
  reason: string;
  status: DeploymentStatus;
  image?: string;
  release?: string;
  startedAt: string;
  finishedAt?: string;
  buildMs?: number;
  deployMs?: number;
  /** For a failure: what went wrong and what to do. */
  message?: string;
  /** Whether the image came from the build cache. */
  cached?: boolean;
}

/** The last thing the agent learnt about a watched repo. */
export interface RepoRecord {
  repo: string;
  /** Head of the watched branch at the last successful fetch. */
  revision?: string;
  checkedAt?: string;
  /** Why the repo could not be reconciled (fetch failure, invalid manifest). */
  error?: string;
}

/** A spec that failed and must not be retried until it changes or a sync is forced. */
export interface FailedSpec {
  specHash: string;
  revision: string;
  deploymentId: string;
  message: string;
  at: string;
}

export interface StateData {
  version: 1;
  deployments: Deployment[];
  repos: Record<string, RepoRecord>;
  /** Keyed by appKey(repo, app). */
  failed: Record<string, FailedSpec>;
}

export function appKey(repo: string, app: string): string {
  return `${repo}/${app}`;
}

export function emptyState(): StateData {
  return { version: 1, deployments: [], repos: {}, failed: {} };
}
