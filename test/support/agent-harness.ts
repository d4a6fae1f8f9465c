/**
 * One real Nexus agent for an integration test: a real git smart-HTTP
 * server with one repo, a private nginx on loopback, a data folder, an
 * agent config, and the agent itself as a separate process. Everything it
 * makes carries a unique repo name, so cleanup removes only its own
 * containers and images.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { startGitServer, type GitServer } from './git-server.ts';
import { pushFolder } from './git-push.ts';
import { startNginx, freePort, type NginxInstance } from './nginx.ts';
import { httpGet, waitFor, type HttpResult } from './http.ts';
import { removePlatformPostgres } from './postgres.ts';
import type { StatusReport } from '../../agent/reconcile/index.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const docker = new Docker();
/** Where agent logs of finished tests are kept. */
export const KEPT_LOGS = path.join(tmpdir(), 'nexus-test-logs');

/** Another watched repo of the same agent. */
export interface ExtraRepo {
  name: string;
  remote: string;
  push(files: Record<string, string> | string, message: string): Promise<string>;
}

export interface Harness {
  repo: string;
  remote: string;
  extra: ExtraRepo[];
  nginx: NginxInstance;
  dataDir: string;
  configFile: string;
  statusUrl: string;
  /** The agent's stdout+stderr, as written so far. */
  agentLog(): Promise<string>;
  startAgent(): Promise<void>;
  /** Sends SIGTERM and resolves with the exit code. */
  stopAgent(): Promise<number | null>;
  /** Sends SIGKILL (a crash) and resolves once the process is gone. */
  killAgent(): Promise<void>;
  /** Rewrites the agent config to watch only the named repos (default: all); takes effect on the next start. */
  writeConfig(repoNames?: string[]): Promise<void>;
  /** Runs the nexus CLI against this agent's config. */
  cli(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  push(files: Record<string, string> | string, message: string): Promise<string>;
  /** GET through nginx with the given Host header. */
  viaNginx(host: string, urlPath?: string): Promise<HttpResult>;
  status(): Promise<StatusReport>;
  containers(): Promise<Docker.ContainerInfo[]>;
  cleanup(): Promise<void>;
}

export interface HarnessOptions {
  /** Poll interval written into the agent config, e.g. "2s". */
  interval?: string;
  drain?: string;
  /** Repo and agent name; default a random `t<hex>` so parallel runs never meet. */
  name?: string;
  /** How many more repos the agent watches (named `<name>-2`, `<name>-3`...). */
  extraRepos?: number;
  /** Docker socket the agent uses (e.g. a counting proxy); default Docker's own. */
  dockerSocket?: string;
  /** Extra lines under `deploy:` in the agent config. */
  deployExtra?: string[];
  /** Lines under `build:` in the agent config (e.g. `timeout: 20s`). */
  buildExtra?: string[];
  /** More top-level lines of the agent config (e.g. an `ai:` section). */
  configExtra?: string[];
  /** More lines of every repo entry (e.g. `webhook: { secretEnv: NAME }`). */
  repoExtra?: string[];
  /** More environment of the agent process (e.g. the AI provider's key). */
  agentEnv?: Record<string, string>;
  /** Env var (of the agent process) holding a postgres:// URL: the agent keeps its state there. */
  stateUrlEnv?: { name: string; value: string };
}

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const repo = options.name ?? `t${randomBytes(4).toString('hex')}`;
  const git: GitServer = await startGitServer();
  const remote = await git.createRepo(repo);
  const nginx = await startNginx();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'nexus-data-'));
  const statusPort = await freePort();
  const configFile = path.join(dataDir, 'agent.yaml');
  const logFile = path.join(dataDir, 'agent.log');
  const extra: ExtraRepo[] = [];
  for (let index = 2; index < 2 + (options.extraRepos ?? 0); index += 1) {
    const name = `${repo}-${index}`;
    const extraRemote = await git.createRepo(name);
    extra.push({ name, remote: extraRemote, push: (files, message) => pushFolder({ remote: extraRemote, files, message }) });
  }
  const allRepos = [{ name: repo, url: remote }, ...extra.map((item) => ({ name: item.name, url: item.remote }))];
  const writeConfig = (names = allRepos.map((item) => item.name)) => writeFile(configFile, [
    `name: ${repo}`,
    `dataDir: ${dataDir}`,
    'repos:',
    ...(names.length === 0 ? ['  []'] : []),
    ...allRepos.filter((item) => names.includes(item.name)).flatMap((item) => [
      `  - name: ${item.name}`,
      `    url: ${item.url}`,
      '    branch: main',
      `    interval: ${options.interval ?? '2s'}`,
      ...(options.repoExtra ?? []).map((line) => `    ${line}`),
    ]),
    'nginx:',
    `  dir: ${nginx.sitesDir}`,
    `  listen: "127.0.0.1:${nginx.port}"`,
    `  test: ${JSON.stringify(nginx.testCommand)}`,
    `  reload: ${JSON.stringify(nginx.reloadCommand)}`,
    'server:',
    `  listen: "127.0.0.1:${statusPort}"`,
    ...(options.dockerSocket ? ['docker:', `  socketPath: ${options.dockerSocket}`] : []),
    ...(options.stateUrlEnv ? ['state:', `  urlEnv: ${options.stateUrlEnv.name}`] : []),
    'deploy:',
    `  drain: ${options.drain ?? '1s'}`,
    ...(options.deployExtra ?? []).map((line) => `  ${line}`),
    ...(options.buildExtra ? ['build:', ...options.buildExtra.map((line) => `  ${line}`)] : []),
    ...(options.configExtra ?? []),
    '',
  ].join('\n'));
  await writeConfig();

  let agent: ChildProcess | undefined;
  const statusUrl = `http://127.0.0.1:${statusPort}`;

  const harness: Harness = {
    repo, remote, extra, nginx, dataDir, configFile, statusUrl, writeConfig,
    agentLog: () => readFile(logFile, 'utf8').catch(() => ''),
    async startAgent() {
      const log = createWriteStream(logFile, { flags: 'a' });
      agent = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'agent/cli/main.ts'), 'agent', '--config', configFile], {
        cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...(options.stateUrlEnv ? { [options.stateUrlEnv.name]: options.stateUrlEnv.value } : {}), ...options.agentEnv },
      });
      agent.stdout!.pipe(log);
      agent.stderr!.pipe(log);
      await waitFor(() => httpGet(`${statusUrl}/healthz`).then((r) => r.status === 200), { timeoutMs: 20_000, what: 'the agent status server' });
    },
    async stopAgent() {
      const child = agent;
      agent = undefined;
      if (!child || child.exitCode !== null) return child?.exitCode ?? null;
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      return exited;
    },
    async killAgent() {
      const child = agent;
      agent = undefined;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    },
    cli: (args, stdin = '') => new Promise((resolve) => {
      const child = execFile(process.execPath, ['--import', 'tsx', path.join(ROOT, 'agent/cli/main.ts'), ...args, '--config', configFile], { cwd: ROOT, timeout: 300_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
      });
      child.stdin?.end(stdin);
    }),
    push: (files, message) => pushFolder({ remote, files, message }),
    viaNginx: (host, urlPath = '/') => httpGet(`http://127.0.0.1:${nginx.port}${urlPath}`, { host }),
    async status() {
      const response = await httpGet(`${statusUrl}/status`);
      return JSON.parse(response.body) as StatusReport;
    },
    // Every container of this agent (all its repos), by the agent label.
    containers: () => docker.listContainers({ all: true, filters: { label: [`nexus.agent=${repo}`] } }),
    async cleanup() {
      await harness.stopAgent();
      for (const info of await harness.containers()) await docker.getContainer(info.Id).remove({ force: true }).catch(() => undefined);
      for (const name of allRepos.map((item) => item.name)) {
        const images = await docker.listImages({ filters: { reference: [`nexus/${repo}/${name}`, `nexus/${name}-*`] } });
        for (const image of images) await docker.getImage(image.Id).remove({ force: true }).catch(() => undefined);
      }
      // The platform Postgres (if a test used one): its network and data volume.
      await removePlatformPostgres(docker, repo);
      await nginx.stop();
      await git.close();
      // Keep the agent's log for a post-mortem: the data folder goes.
      await mkdir(KEPT_LOGS, { recursive: true });
      await copyFile(logFile, path.join(KEPT_LOGS, `${repo}.log`)).catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** The examples/hello app, with optional edits, as a file map for `push`. */
export async function helloFiles(edit: (files: Record<string, string>) => void = () => {}): Promise<Record<string, string>> {
  const dir = path.join(ROOT, 'examples/hello');
  const files: Record<string, string> = {};
  for (const name of ['server.js', 'Dockerfile', 'nexus.yaml']) files[name] = await readFile(path.join(dir, name), 'utf8');
  edit(files);
  return files;
}
