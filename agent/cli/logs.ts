import { loadAgentConfig } from '../config/index.ts';
import type { DeploymentView } from '../server/index.ts';
import { appPath, callAgent } from './api.ts';
import { unseenText } from './log-follow.ts';

export const usage = 'nexus logs <app> --build [DEPLOYMENT] [-f] --config FILE   build log of the newest (or the named) deployment; -f follows a build until it ends';

export interface BuildLogAnswer { repo: string; app: string; deployment: DeploymentView; log: string }

/** A deployment in one of these may still add to its log. */
const IN_PROGRESS: ReadonlySet<DeploymentView['status']> = new Set(['pending', 'building', 'deploying']);

/** The agent's store rewrites the log about once a second; polling twice as often misses nothing for long. */
const POLL_MS = 500;

export interface LogsOptions {
  config: string;
  app: string | undefined;
  /** Id, id prefix or release; default the newest deployment. */
  deployment: string | undefined;
  build: boolean;
  follow: boolean;
}

/** How `nexus logs` reaches the agent and waits (tests pass their own). */
export interface LogsIo {
  fetchLog: (app: string, id: string) => Promise<BuildLogAnswer>;
  sleep: (ms: number) => Promise<void>;
}

/** `nexus logs <app> --build`: prints a deployment's stored build log; with -f, follows it to the outcome. */
export async function runLogs(options: LogsOptions, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr, io?: LogsIo): Promise<number> {
  if (!options.build) {
    // Container logs are a later issue; saying so beats a silent empty answer.
    err.write('nexus logs: only build logs exist so far — add --build (nexus logs <app> --build [DEPLOYMENT] [-f]); container logs come in a later version\n');
    return 2;
  }
  if (!options.app) {
    err.write(`name the app: ${usage}\n`);
    return 2;
  }
  const { fetchLog, sleep } = io ?? (await agentIo(options.config));
  return options.follow
    ? followBuildLog({ app: options.app, id: options.deployment ?? 'latest', fetchLog, sleep }, out)
    : printBuildLog(await fetchLog(options.app, options.deployment ?? 'latest'), out, err);
}

async function agentIo(configFile: string): Promise<LogsIo> {
  const config = await loadAgentConfig(configFile);
  return {
    fetchLog: (app, id) => callAgent<BuildLogAnswer>(config, 'GET', `/api/apps/${appPath(app)}/deployments/${encodeURIComponent(id)}/log`),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

function printBuildLog(answer: BuildLogAnswer, out: NodeJS.WritableStream, err: NodeJS.WritableStream): number {
  if (answer.log.length === 0) {
    err.write(`${describeDeployment(answer)}: no build output stored${IN_PROGRESS.has(answer.deployment.status) ? ' yet — add -f to follow it' : ''}\n`);
    return 0;
  }
  out.write(endWithNewline(answer.log));
  return 0;
}

/**
 * Prints the log, then only what is new every POLL_MS while the deployment
 * is in progress, then its outcome. The first answer fixes the deployment
 * by id, so a newer one starting meanwhile does not switch the stream.
 * Exit code: 0 when it succeeded, 1 otherwise.
 */
export async function followBuildLog(input: { app: string; id: string } & LogsIo, out: NodeJS.WritableStream): Promise<number> {
  let answer = await input.fetchLog(input.app, input.id);
  const id = answer.deployment.id;
  let shown = answer.log;
  out.write(shown);
  while (IN_PROGRESS.has(answer.deployment.status)) {
    await input.sleep(POLL_MS);
    answer = await input.fetchLog(input.app, id);
    out.write(unseenText(shown, answer.log));
    shown = answer.log;
  }
  if (shown.length > 0 && !shown.endsWith('\n')) out.write('\n');
  out.write(`${outcomeLine(answer)}\n`);
  return answer.deployment.status === 'success' ? 0 : 1;
}

/** The last line of a followed build: e.g. `demo/web 1a2b3c4-5d6e7f: success` or `… failed: npm run build failed …`. */
export function outcomeLine(answer: BuildLogAnswer): string {
  const { status, message, cached } = answer.deployment;
  const detail = message ?? (status === 'success' && cached ? 'image reused, no build' : undefined);
  return `${describeDeployment(answer)}: ${status}${detail ? ` — ${detail}` : ''}`;
}

function describeDeployment(answer: BuildLogAnswer): string {
  return `${answer.repo}/${answer.app} ${answer.deployment.release ?? answer.deployment.id}`;
}

function endWithNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
