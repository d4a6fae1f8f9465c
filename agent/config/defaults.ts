import { dirname, resolve } from 'node:path';
import { parseDuration, type ManifestProblem, type ProblemAt } from '../manifest/index.ts';
import { formatListen, parseListen } from './listen.ts';
import { MIN_MEMORY_BYTES, parseMemory } from './memory.ts';
import type { AgentConfig, AiConfig, BaseImages, BuildConfig } from './model.ts';
import { toRepoConfigs, type RawRepo } from './repos.ts';

/** The agent config as written, once the schema has vouched for its shape. */
export interface RawAgentConfig {
  name?: string;
  dataDir?: string;
  repos: RawRepo[];
  nginx: { dir: string; listen?: string | number; test?: string[]; reload?: string[] };
  server?: { listen?: string | number };
  docker?: { socketPath?: string };
  deploy?: { drain?: string | number; memory?: string | number; parallel?: number };
  build?: { timeout?: string | number; memory?: string | number; cpus?: number; parallel?: number; images?: Partial<BaseImages> };
  ai?: { provider: 'openai' | 'anthropic'; model: string; apiKeyEnv?: string; baseURL?: string; maxOutputTokens?: number; timeout?: string | number; repairRounds?: number };
  state?: { url?: string; urlEnv?: string };
  database?: { image?: string; adminUrlEnv?: string };
}

const DEFAULT_SERVER = { host: '127.0.0.1', port: 7777 };

/**
 * Fills in defaults, resolves relative paths against the config file's
 * folder (so the agent behaves the same whatever its working directory),
 * and checks the values a schema cannot: port ranges, sizes, durations.
 */
export function toAgentConfig(raw: RawAgentConfig, file: string, problemAt: ProblemAt): { config: AgentConfig; problems: ManifestProblem[] } {
  const problems: ManifestProblem[] = [];
  const absoluteFile = resolve(file);
  const base = dirname(absoluteFile);

  const { repos, problems: repoProblems } = toRepoConfigs(raw.repos, problemAt);
  problems.push(...repoProblems);

  const nginxListen = parseListen(raw.nginx.listen ?? 80);
  if (nginxListen === undefined) problems.push(problemAt(['nginx', 'listen'], badPort(raw.nginx.listen)));

  // A bare port for the status server means loopback: never expose it by accident.
  const server = raw.server?.listen === undefined ? DEFAULT_SERVER : parseListen(raw.server.listen);
  if (server === undefined) problems.push(problemAt(['server', 'listen'], badPort(raw.server?.listen)));

  const drainMs = parseDuration(raw.deploy?.drain ?? '2s');
  if (drainMs === undefined) {
    problems.push(problemAt(['deploy', 'drain'], 'is not a duration — use e.g. `2s` or `500ms`'));
  }

  const memory = raw.deploy?.memory ?? '512m';
  const memoryBytes = typeof memory === 'number' ? memory : parseMemory(memory);
  if (memoryBytes === undefined) {
    problems.push(problemAt(['deploy', 'memory'], 'is not a size — use e.g. `512m` or `1g`'));
  } else if (memoryBytes < MIN_MEMORY_BYTES) {
    problems.push(problemAt(['deploy', 'memory'], 'is below 6 MiB, which Docker refuses — use e.g. `512m` or `1g`'));
  }

  const build = toBuildConfig(raw.build, problemAt, problems);

  const config: AgentConfig = {
    file: absoluteFile,
    name: raw.name ?? 'nexus',
    dataDir: resolve(base, raw.dataDir ?? '.nexus'),
    repos,
    nginx: {
      dir: resolve(base, raw.nginx.dir),
      listen: nginxListen === undefined ? '' : formatListen(nginxListen),
      testCommand: [...(raw.nginx.test ?? ['nginx', '-t', '-q'])],
      reloadCommand: [...(raw.nginx.reload ?? ['nginx', '-s', 'reload'])],
    },
    server: { host: server?.host ?? DEFAULT_SERVER.host, port: server?.port ?? DEFAULT_SERVER.port },
    docker: raw.docker?.socketPath === undefined ? {} : { socketPath: resolve(base, raw.docker.socketPath) },
    deploy: { drainMs: drainMs ?? 0, memoryBytes: memoryBytes ?? 0, parallel: raw.deploy?.parallel ?? 4 },
    build,
    ...(raw.ai ? { ai: toAiConfig(raw.ai, problemAt, problems) } : {}),
    state: { url: raw.state?.url, urlEnv: raw.state?.urlEnv },
    database: { image: raw.database?.image ?? 'postgres:15-bookworm', adminUrlEnv: raw.database?.adminUrlEnv },
  };
  return { config, problems };
}

/** The official image names; on a host without a registry, local images tagged with these names serve. */
export const DEFAULT_BASE_IMAGES: BaseImages = {
  node: 'node:20-bookworm-slim',
  static: 'nginx:stable-bookworm',
  python: 'python:3.11-slim-bookworm',
};

function toBuildConfig(raw: RawAgentConfig['build'], problemAt: ProblemAt, problems: ManifestProblem[]): BuildConfig {
  const timeoutMs = parseDuration(raw?.timeout ?? '15m');
  if (timeoutMs === undefined || timeoutMs <= 0) problems.push(problemAt(['build', 'timeout'], 'is not a duration above zero — use e.g. `15m`'));
  const memory = raw?.memory ?? '2g';
  const memoryBytes = typeof memory === 'number' ? memory : parseMemory(memory);
  if (memoryBytes === undefined) problems.push(problemAt(['build', 'memory'], 'is not a size — use e.g. `2g` or `1536m`'));
  else if (memoryBytes < MIN_MEMORY_BYTES) problems.push(problemAt(['build', 'memory'], 'is below 6 MiB, which Docker refuses — use e.g. `2g`'));
  return {
    timeoutMs: timeoutMs ?? 0,
    memoryBytes: memoryBytes ?? 0,
    cpus: raw?.cpus ?? 1,
    parallel: raw?.parallel ?? 2,
    images: { ...DEFAULT_BASE_IMAGES, ...raw?.images },
  };
}

function toAiConfig(raw: NonNullable<RawAgentConfig['ai']>, problemAt: ProblemAt, problems: ManifestProblem[]): AiConfig {
  const timeoutMs = parseDuration(raw.timeout ?? '2m');
  if (timeoutMs === undefined || timeoutMs <= 0) problems.push(problemAt(['ai', 'timeout'], 'is not a duration above zero — use e.g. `2m`'));
  return {
    provider: raw.provider,
    model: raw.model,
    apiKeyEnv: raw.apiKeyEnv ?? (raw.provider === 'openai' ? 'OPENAI_API_KEY' : 'ANTHROPIC_API_KEY'),
    ...(raw.baseURL ? { baseURL: raw.baseURL } : {}),
    maxOutputTokens: raw.maxOutputTokens ?? 16_000,
    timeoutMs: timeoutMs ?? 0,
    repairRounds: raw.repairRounds ?? 3,
  };
}

function badPort(value: unknown): string {
  return `${JSON.stringify(value)} has a port outside 1-65535 — use e.g. \`80\` or \`127.0.0.1:8080\``;
}
