/**
 * Labels on everything Nexus creates. Observation reads them back, so the
 * agent needs no memory of its own to know what runs, and pruning is a set
 * difference.
 */
export const LABEL = {
  managed: 'nexus.managed',
  /** The agent (config `name`) that owns it: agents sharing a host never touch each other's containers. */
  agent: 'nexus.agent',
  repo: 'nexus.repo',
  app: 'nexus.app',
  revision: 'nexus.revision',
  specHash: 'nexus.spec-hash',
  release: 'nexus.release',
  /** What the container was created with (image, memory, env fingerprint), to detect changes made by hand. */
  config: 'nexus.config',
} as const;

/** Identity of one release of one app, as carried by its labels. */
export interface ReleaseIdentity {
  repo: string;
  app: string;
  revision: string;
  specHash: string;
  release: string;
}

/** The label set for a release. */
export function labelsFor(identity: ReleaseIdentity): Record<string, string> {
  return {
    [LABEL.managed]: 'true',
    [LABEL.repo]: identity.repo,
    [LABEL.app]: identity.app,
    [LABEL.revision]: identity.revision,
    [LABEL.specHash]: identity.specHash,
    [LABEL.release]: identity.release,
  };
}

/** Reads a release identity back from labels; undefined if any is missing. */
export function identityFromLabels(labels: Record<string, string> | undefined): ReleaseIdentity | undefined {
  if (!labels || labels[LABEL.managed] !== 'true') return undefined;
  const repo = labels[LABEL.repo];
  const app = labels[LABEL.app];
  const revision = labels[LABEL.revision];
  const specHash = labels[LABEL.specHash];
  const release = labels[LABEL.release];
  if (!repo || !app || !revision || !specHash || !release) return undefined;
  return { repo, app, revision, specHash, release };
}
