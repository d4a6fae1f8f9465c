import { loadAgentConfig } from '../config/index.ts';
import type { Job } from '../server/jobs.ts';
import { callAgent } from './api.ts';

export const usage = 'nexus sync [REPO] [--wait] --config FILE   fetch and reconcile now (retrying failed releases); --wait follows the job to its outcome';

/**
 * `nexus sync`: asks the agent for a sync of one repo (or every repo) as a
 * job — failed releases of the repo are retried — and with --wait follows
 * the job until it is done, printing each app's outcome.
 */
export async function runSync(options: { config: string; repo?: string; wait: boolean; json: boolean; intervalMs?: number }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const config = await loadAgentConfig(options.config);
  const repos = options.repo ? [options.repo] : config.repos.map((repo) => repo.name);
  const started = await Promise.all(repos.map((repo) => callAgent<{ job: string; repo: string }>(config, 'POST', `/api/repos/${encodeURIComponent(repo)}/sync`)));
  if (!options.wait) {
    out.write(options.json ? `${JSON.stringify(started, null, 2)}\n` : started.map((item) => `sync of ${item.repo} queued as job ${item.job}\n`).join(''));
    return 0;
  }
  const done: Job[] = [];
  for (const { job } of started) {
    for (;;) {
      const current = await callAgent<Job>(config, 'GET', `/api/jobs/${job}`);
      if (current.state === 'done') {
        done.push(current);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
    }
  }
  if (options.json) out.write(`${JSON.stringify(done, null, 2)}\n`);
  let failed = false;
  for (const job of done) {
    for (const repo of job.outcome ?? []) {
      for (const app of repo.apps) {
        const problem = app.lastAttempt?.status === 'failed' ? ` — last attempt failed: ${app.lastAttempt.message ?? ''}` : '';
        failed ||= app.health !== 'Healthy';
        if (!options.json) out.write(`${repo.repo}/${app.name}: ${app.sync}, ${app.health}${app.revision ? ` at ${app.revision.slice(0, 7)}` : ''}${problem}\n`);
      }
    }
  }
  return failed ? 1 : 0;
}
