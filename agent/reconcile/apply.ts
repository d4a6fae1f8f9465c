import { describeError } from '../errors/index.ts';
import { appKey, type Trigger } from '../../state/index.ts';
import { deployRelease, type DeployContext } from './cutover.ts';
import { runLimited, withRetry } from './retry.ts';
import type { Action } from './plan.ts';

/** What became of one action. */
export interface ActionOutcome {
  action: Action;
  ok: boolean;
  message?: string;
  deploymentId?: string;
}

export interface ApplyOptions {
  trigger: Trigger;
  /** Apps worked on at once. */
  parallel: number;
  /** Backoff base for transient failures (tests make it short). */
  retryBaseMs?: number;
}

/**
 * Runs a plan's actions. Actions of one app run in plan order, one at a
 * time (one operation per app); different apps run in parallel up to a
 * limit. A failed action stops the rest of its app's actions, never
 * another app's.
 */
export async function applyActions(actions: Action[], ctx: DeployContext, options: ApplyOptions): Promise<ActionOutcome[]> {
  const byApp = new Map<string, Action[]>();
  for (const action of actions) {
    const key = appKey(action.repo, action.app);
    byApp.set(key, [...(byApp.get(key) ?? []), action]);
  }
  const perApp = await runLimited([...byApp.values()].map((appActions) => () => applyAppActions(appActions, ctx, options)), options.parallel);
  return perApp.flat();
}

/** Runs the actions of one app in plan order; a failure stops the rest of them. */
export async function applyAppActions(actions: Action[], ctx: DeployContext, options: Omit<ApplyOptions, 'parallel'>): Promise<ActionOutcome[]> {
  const outcomes: ActionOutcome[] = [];
  for (const action of actions) {
    const outcome = await applyAction(action, ctx, options);
    outcomes.push(outcome);
    if (!outcome.ok) break;
  }
  return outcomes;
}

async function applyAction(action: Action, ctx: DeployContext, options: Omit<ApplyOptions, 'parallel'>): Promise<ActionOutcome> {
  const fields = { repo: action.repo, app: action.app, action: action.kind, reason: action.reason };
  const retry = <T>(operation: () => Promise<T>) => withRetry(operation, {
    baseDelayMs: options.retryBaseMs,
    onRetry: (error, attempt, delayMs) => ctx.log.warn('transient failure, retrying', { ...fields, attempt, delayMs, error: describeError(error) }),
  });
  try {
    switch (action.kind) {
      case 'deploy': {
        // The cutover records its own failures; transient ones are retried by the next cycle.
        const deployment = await deployRelease({ desired: action.desired, replaces: action.replaces, reason: action.reason, trigger: options.trigger }, ctx);
        return { action, ok: deployment.status === 'success', message: deployment.message, deploymentId: deployment.id };
      }
      case 'write-route':
        await retry(() => ctx.proxy.writeRoute(action.file, action.content));
        break;
      case 'remove-route':
        await retry(() => ctx.proxy.removeRoute(action.file));
        break;
      case 'remove-container':
        await retry(() => ctx.runtime.removeContainer(action.container.id));
        break;
      case 'ensure-database':
        if (!ctx.databases) throw new Error('this agent has no database support configured');
        await retry(() => ctx.databases!.ensure(action.repo, action.app));
        break;
      case 'unpin':
        await ctx.store.update((state) => {
          delete state.pins[appKey(action.repo, action.app)];
        });
        break;
    }
    ctx.log.info('action applied', fields);
    return { action, ok: true };
  } catch (error) {
    const message = describeError(error);
    ctx.log.error('action failed', { ...fields, error: message });
    return { action, ok: false, message };
  }
}
