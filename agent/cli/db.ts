import { loadAgentConfig } from '../config/index.ts';
import { appPath, callAgent } from './api.ts';

export const usage = [
  'nexus db rotate <app> --config FILE        new password for the app\'s database role; a new release follows',
  'nexus db drop <app> --yes --config FILE    drop the app\'s database and role (prune never does)',
].join('\n  ');

/** `nexus db rotate|drop`: asks the running agent, which owns the passwords. */
export async function runDb(options: { config: string; verb: string | undefined; app: string | undefined; yes: boolean }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  if ((options.verb !== 'rotate' && options.verb !== 'drop') || !options.app) throw new Error(`usage:\n  ${usage}`);
  if (options.verb === 'drop' && !options.yes) throw new Error(`dropping deletes every row of ${options.app}'s database for good — run again with --yes if that is what you want`);
  const config = await loadAgentConfig(options.config);
  const answer = options.verb === 'rotate'
    ? await callAgent<{ message: string }>(config, 'POST', `/api/apps/${appPath(options.app)}/db/rotate`)
    : await callAgent<{ message: string }>(config, 'DELETE', `/api/apps/${appPath(options.app)}/db`);
  out.write(`${answer.message}\n`);
  return 0;
}
