import { loadAgentConfig } from '../config/index.ts';
import { renderPlanTable, type PlanView } from '../reconcile/index.ts';
import { callAgent } from './api.ts';

export const usage = 'nexus plan --config FILE [--json]     what the agent would do now, and why (nothing is changed)';

/** `nexus plan`: the running agent's plan against a fresh look at the host. */
export async function runPlan(options: { config: string; json: boolean }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const config = await loadAgentConfig(options.config);
  const view = await callAgent<PlanView>(config, 'GET', '/api/plan');
  out.write(options.json ? `${JSON.stringify(view, null, 2)}\n` : renderPlanTable(view));
  return 0;
}
