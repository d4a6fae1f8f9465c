import type { Deployment } from '../../state/index.ts';

/** Images of this many newest successful releases per app are kept for `nexus rollback`. */
export const RELEASES_KEPT_PER_APP = 5;

/**
 * The images of a repo that must survive a prune (pure): those of each
 * app's newest successful releases (rollback targets) and of every
 * deployment not finished yet. Anything else of the repo is fair game:
 * otherwise every push with a new build key would leave an image behind
 * until the disk is full.
 */
export function imagesToKeep(deployments: readonly Deployment[], repo: string, perApp = RELEASES_KEPT_PER_APP): Set<string> {
  const keep = new Set<string>();
  const successes = new Map<string, number>();
  for (const deployment of [...deployments].reverse()) {
    if (deployment.repo !== repo) continue;
    const image = deployment.snapshot?.image ?? deployment.image;
    if (!image) continue;
    if (deployment.status !== 'success' && deployment.status !== 'failed' && deployment.status !== 'rolled_back') keep.add(image);
    if (deployment.status !== 'success') continue;
    const count = successes.get(deployment.app) ?? 0;
    if (count < perApp) keep.add(image);
    successes.set(deployment.app, count + 1);
  }
  return keep;
}
