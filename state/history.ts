import type { StateData } from './model.ts';

/** Deployments kept per app; older ones are dropped (with their logs). */
export const HISTORY_PER_APP = 50;

/**
 * Keeps the newest HISTORY_PER_APP deployments per app (in place) and
 * returns the ids dropped, so the store can delete their build logs.
 * Shared by every store so they all forget the same things.
 */
export function trimHistory(state: StateData): string[] {
  const seen = new Map<string, number>();
  const kept = [];
  const dropped: string[] = [];
  for (let index = state.deployments.length - 1; index >= 0; index -= 1) {
    const deployment = state.deployments[index]!;
    const key = `${deployment.repo}/${deployment.app}`;
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    if (count <= HISTORY_PER_APP) kept.push(deployment);
    else dropped.push(deployment.id);
  }
  state.deployments = kept.reverse();
  return dropped;
}
