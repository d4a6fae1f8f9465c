import { loadAgentConfig } from '../config/index.ts';
import type { DeploymentView } from '../server/index.ts';
import { appPath, callAgent } from './api.ts';

export const usage = 'nexus rollback <app> [--to DEPLOYMENT] --config FILE   redeploy a recorded release (no build) and pin the app there';

/** `nexus rollback`: asks the agent to pin the app and waits for the cycle that deploys it. */
export async function runRollback(options: { config: string; app: string | undefined; to: string | undefined; json: boolean }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  if (!options.app) throw new Error('name the app: nexus rollback <app> [--to DEPLOYMENT]');
  const config = await loadAgentConfig(options.config);
  const answer = await callAgent<{ deployment: DeploymentView; message: string }>(config, 'POST', `/api/apps/${appPath(options.app)}/rollback`, { to: options.to });
  out.write(options.json ? `${JSON.stringify(answer, null, 2)}\n` : `${answer.message}\n`);
  return 0;
}
