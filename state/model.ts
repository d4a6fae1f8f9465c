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
  /**
   * What ran, so a rollback can start it again without a build: image,
   * port, health, domains and env. Secret env values are kept only as
   * ciphertext (see agent/secrets), never in plain text.
   */
  snapshot?: ReleaseSnapshot;
}

/** Everything needed to start a release again without building. */
export interface ReleaseSnapshot {
  image: string;
  port: number;
  domains: string[];
  health: { path: string; timeoutMs: number };
  /** Plain env values as given in the manifest. */
  env: Record<string, string>;
  /** Secret env values, each sealed (encrypted to the agent's key). */
  sealedEnv: Record<string, string>;
  memoryBytes?: number;
}

/** An app held at a recorded release by `nexus rollback` until a new commit changes it. */
export interface Pin {
  deploymentId: string;
  /** specHash of the app in git when the pin was made; a different one ends the pin. */
  gitSpecHash: string;
  at: string;
}

/** A per-app database the agent created. Dropped only by `nexus db drop`. */
export interface DatabaseRecord {
  database: string;
  role: string;
  /** The role's password, sealed to the agent's key. */
  sealedPassword: string;
  createdAt: string;
  rotatedAt?: string;
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
  /** Keyed by appKey(repo, app). */
  pins: Record<string, Pin>;
  /** Secrets set out of band (`nexus secret set`): appKey → KEY → sealed value. */
  secrets: Record<string, Record<string, string>>;
  /** Keyed by appKey(repo, app). */
  databases: Record<string, DatabaseRecord>;
}

export function appKey(repo: string, app: string): string {
  return `${repo}/${app}`;
}

export function emptyState(): StateData {
  return { version: 1, deployments: [], repos: {}, failed: {}, pins: {}, secrets: {}, databases: {} };
}
