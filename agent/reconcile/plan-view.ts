import type { Action, Plan } from './plan.ts';

/** One action as shown to people and the API: no container internals, no env. */
export interface ActionView {
  kind: Action['kind'];
  repo: string;
  app: string;
  reason: string;
  /** What exactly: the revision to deploy, the container or file touched. */
  target: string;
}

export interface PlanView {
  actions: ActionView[];
  held: { repo: string; app: string; reason: string }[];
}

/** A plan as JSON-safe data (never includes env values: they may hold secrets). */
export function viewPlan(result: Plan): PlanView {
  return {
    actions: result.actions.map((action) => ({ kind: action.kind, repo: action.repo, app: action.app, reason: action.reason, target: targetOf(action) })),
    held: result.held.map(({ repo, app, reason }) => ({ repo, app, reason })),
  };
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

/** A plan as a fixed-width table, or a line saying there is nothing to do. */
export function renderPlanTable(view: PlanView): string {
  const lines: string[] = [];
  if (view.actions.length === 0) lines.push('Nothing to do: the host matches git.');
  else {
    const rows = [['ACTION', 'APP', 'TARGET', 'REASON'], ...view.actions.map((action) => [action.kind, `${action.repo}/${action.app}`, action.target, action.reason])];
    const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
    for (const row of rows) lines.push(row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]!) : cell)).join('  '));
  }
  for (const hold of view.held) lines.push(`held ${hold.repo}/${hold.app}: ${hold.reason}`);
  return `${lines.join('\n')}\n`;
}
