import { loadAgentConfig } from '../config/index.ts';
import type { DeploymentView } from '../server/index.ts';
import { appPath, callAgent } from './api.ts';

export const usage = 'nexus history <app> --config FILE [--json]   the releases of an app, newest first';

interface HistoryAnswer { repo: string; app: string; deployments: DeploymentView[] }

/** `nexus history <app>`: one line per deployment. */
export async function runHistory(options: { config: string; app: string | undefined; json: boolean }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  if (!options.app) throw new Error('name the app: nexus history <app> (or <repo>/<app>)');
  const config = await loadAgentConfig(options.config);
  const answer = await callAgent<HistoryAnswer>(config, 'GET', `/api/apps/${appPath(options.app)}/history`);
  if (options.json) {
    out.write(`${JSON.stringify(answer, null, 2)}\n`);
    return 0;
  }
  out.write(renderHistory(answer));
  return 0;
}

export function renderHistory(answer: HistoryAnswer): string {
  const lines = [`${answer.repo}/${answer.app}`, `  ${'DEPLOYMENT'.padEnd(16)} ${'RELEASE'.padEnd(15)} ${'REVISION'.padEnd(8)} ${'STATUS'.padEnd(8)} ${'TRIGGER'.padEnd(8)} ${'STARTED'.padEnd(24)} REASON`];
  for (const item of answer.deployments) {
    const build = item.cached ? ' (no build)' : '';
    lines.push(`  ${item.id.padEnd(16)} ${(item.release ?? '-').padEnd(15)} ${item.revision.slice(0, 7).padEnd(8)} ${item.status.padEnd(8)} ${item.trigger.padEnd(8)} ${item.startedAt.padEnd(24)} ${item.reason}${build}`);
    if (item.status === 'failed' && item.message) lines.push(`    ! ${item.message}`);
  }
  if (answer.deployments.length === 0) lines.push('  no deployments yet');
  return `${lines.join('\n')}\n`;
}
