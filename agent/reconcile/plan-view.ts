import type { Action, Plan } from './plan.ts';

/** One action as shown to people and the API: no container internals, no env. */
export interface ActionView {
  kind: Action['kind'];
  repo: string;
  app: string;
  reason: string;
  /** What exactly: the revision to deploy, the container or file touched. */
  target: string;
  /**
   * Deploys that build: how, in one line — "Dockerfile apps/web/Dockerfile"
   * or what detection found ("vite: package.json depends on vite; …").
   * Absent when no build runs (a rollback reuses its recorded image).
   */
  build?: string;
}

export interface PlanView {
  actions: ActionView[];
  held: { repo: string; app: string; reason: string }[];
}

/** A plan as JSON-safe data (never includes env values: they may hold secrets). */
export function viewPlan(result: Plan): PlanView {
  return {
    actions: result.actions.map((action) => {
      const build = buildOf(action);
      return { kind: action.kind, repo: action.repo, app: action.app, reason: action.reason, target: targetOf(action), ...(build ? { build } : {}) };
    }),
    held: result.held.map(({ repo, app, reason }) => ({ repo, app, reason })),
  };
}

function buildOf(action: Action): string | undefined {
  return action.kind === 'deploy' && !action.desired.image ? action.desired.build?.explanation : undefined;
}

function targetOf(action: Action): string {
  switch (action.kind) {
    case 'deploy':
      return action.desired.image ? `image ${action.desired.image}` : `revision ${action.desired.revision.slice(0, 7)}`;
    case 'write-route':
    case 'remove-route':
      return action.file;
    case 'remove-container':
      return action.container.name;
    case 'unpin':
      return 'rollback pin';
    case 'ensure-database':
      return 'postgres database';
  }
}

/**
 * A plan as a fixed-width table, or a line saying there is nothing to do.
 * A deploy that builds gets a `build:` line under its row, aligned with
 * the reason: how the image will be made is often the surprise.
 */
export function renderPlanTable(view: PlanView): string {
  const lines: string[] = [];
  if (view.actions.length === 0) lines.push('Nothing to do: the host matches git.');
  else {
    const rows = [['ACTION', 'APP', 'TARGET', 'REASON'], ...view.actions.map((action) => [action.kind, `${action.repo}/${action.app}`, action.target, action.reason])];
    const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
    const indent = ' '.repeat(widths.reduce((sum, width) => sum + width + 2, 0));
    rows.forEach((row, index) => {
      lines.push(row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]!) : cell)).join('  '));
      const build = index > 0 ? view.actions[index - 1]!.build : undefined;
      if (build) lines.push(`${indent}build: ${build}`);
    });
  }
  for (const hold of view.held) lines.push(`held ${hold.repo}/${hold.app}: ${hold.reason}`);
  return `${lines.join('\n')}\n`;
}
