import type { Deployment } from '../../state/index.ts';

/** Images of this many newest successful releases per app are kept for `nexus rollback`. */
export const RELEASES_KEPT_PER_APP = 5;

/**
 * The images of a repo that must survive a prune (pure): those of each
 * app's newest distinct successful releases (rollback targets — counted by
 * image, since drift repairs redeploy one image many times), of a release
 * an app is pinned to, and of every deployment not finished yet. Anything
 * else of the repo is fair game: otherwise every push with a new build key
 * would leave an image behind until the disk is full.
 */
export function imagesToKeep(deployments: readonly Deployment[], repo: string, perApp = RELEASES_KEPT_PER_APP, pinnedDeploymentIds: readonly string[] = []): Set<string> {
  const keep = new Set<string>();
  const imagesByApp = new Map<string, Set<string>>();
  const pinned = new Set(pinnedDeploymentIds);
  for (const deployment of [...deployments].reverse()) {
    if (deployment.repo !== repo) continue;
    const image = deployment.snapshot?.image ?? deployment.image;
    if (!image) continue;
    if (pinned.has(deployment.id)) keep.add(image);
    if (deployment.status !== 'success' && deployment.status !== 'failed' && deployment.status !== 'rolled_back') keep.add(image);
    if (deployment.status !== 'success') continue;
    const images = imagesByApp.get(deployment.app) ?? new Set<string>();
    if (images.size < perApp || images.has(image)) {
      images.add(image);
      keep.add(image);
    }
    imagesByApp.set(deployment.app, images);
  }
  return keep;
}
