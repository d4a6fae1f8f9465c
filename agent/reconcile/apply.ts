import { describeError } from '../errors/index.ts';
import type { Trigger } from '../../state/index.ts';
import { deployRelease, type DeployContext } from './cutover.ts';
import type { Action } from './plan.ts';

/** What became of one action. */
export interface ActionOutcome {
  action: Action;
  ok: boolean;
  message?: string;
  deploymentId?: string;
}

/**
 * Runs a plan's actions. Actions of one app run in order (one operation per
 * app at a time); a failed action is recorded and never stops other apps.
 */
export async function applyActions(actions: Action[], ctx: DeployContext, trigger: Trigger): Promise<ActionOutcome[]> {
  const outcomes: ActionOutcome[] = [];
  for (const action of actions) {
    outcomes.push(await applyAction(action, ctx, trigger));
  }
  return outcomes;
}

async function applyAction(action: Action, ctx: DeployContext, trigger: Trigger): Promise<ActionOutcome> {
  const fields = { repo: action.repo, app: action.app, action: action.kind, reason: action.reason };
  try {
    switch (action.kind) {
      case 'deploy': {
        const deployment = await deployRelease({ desired: action.desired, replaces: action.replaces, reason: action.reason, trigger }, ctx);
        return { action, ok: deployment.status === 'success', message: deployment.message, deploymentId: deployment.id };
      }
      case 'write-route':
        await ctx.proxy.writeRoute(action.file, action.content);
        break;
      case 'remove-route':
        await ctx.proxy.removeRoute(action.file);
        break;
      case 'remove-container':
        await ctx.runtime.removeContainer(action.container.id);
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
