import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { loadAgentConfig, type AgentConfig } from '../config/index.ts';
import { createLogger, type Logger } from '../log/index.ts';
import { cacheGitDir, fetchBranchHead } from '../source/index.ts';
import { createDockerRuntime } from '../runtime/index.ts';
import { createNginxDriver } from '../proxy/index.ts';
import { createImageBuilder } from '../build/index.ts';
import { createReconciler, type Reconciler } from '../reconcile/index.ts';
import { createScheduler } from '../scheduler/index.ts';
import { createApp, startServer } from '../server/index.ts';
import { openStore, type StateStore } from '../../state/index.ts';
import { ensureApiToken, ensureLabelKey } from './api.ts';
import { agentApi } from './agent-api.ts';
import { buildGenerator } from './ai-wiring.ts';
import { createMetrics, type AppInfo, type Metrics } from '../metrics/index.ts';
import { createDatabaseService } from '../database/index.ts';
import { createEnvResolver } from '../reconcile/index.ts';
import { createRedactor, createSealer, loadOrCreateAgentKey, type Redactor, type Sealer, type AgentKey } from '../secrets/index.ts';

export const usage = 'nexus agent --config FILE    run the agent: poll repos, reconcile, serve /status';

/** The agent's key and what is built on it: sealing for the state, and the redactor for logs and answers. */
export interface AgentSecrets {
  key: AgentKey;
  sealer: Sealer;
  redactor: Redactor;
}

export async function loadAgentSecrets(dataDir: string): Promise<AgentSecrets> {
  const key = await loadOrCreateAgentKey(dataDir);
  return { key, sealer: createSealer(key), redactor: createRedactor() };
}

/** Builds the reconciler and its real drivers from an agent config (no singletons). */
export async function buildReconciler(config: AgentConfig, log: Logger, store: StateStore, secrets: AgentSecrets, metrics?: Metrics): Promise<Reconciler> {
  const docker = new Docker(config.docker.socketPath ? { socketPath: config.docker.socketPath } : undefined);
  const cacheDir = path.join(config.dataDir, 'repos');
  // Platform Postgres container by default; an existing server when the config names its admin URL's env var.
  const adminUrl = config.database.adminUrlEnv ? process.env[config.database.adminUrlEnv] : undefined;
  if (config.database.adminUrlEnv && !adminUrl) throw new Error(`database.adminUrlEnv names ${config.database.adminUrlEnv}, but that environment variable is empty — set it to the admin postgres:// URL`);
  const databases = createDatabaseService(adminUrl
    ? { kind: 'external', adminUrl, agentName: config.name }
    : { kind: 'platform', docker, agentName: config.name, dataDir: config.dataDir, image: config.database.image }, store, secrets.sealer);
  return createReconciler({
    seal: (value) => secrets.sealer.seal(value),
    resolveEnv: createEnvResolver({ sealer: secrets.sealer, identity: secrets.key.identity, redactor: secrets.redactor, state: () => store.read(), databaseUrl: databases.databaseUrl }),
    databases,
    appNetwork: databases.network,
    config,
    fetchHead: (repo) => fetchBranchHead({ name: repo.name, url: repo.url, branch: repo.branch, token: repo.tokenEnv ? process.env[repo.tokenEnv] : undefined }, cacheDir),
    gitdirOf: (repo) => cacheGitDir(cacheDir, repo),
    runtime: createDockerRuntime(docker, config.name, await ensureLabelKey(config.dataDir)),
    proxy: createNginxDriver({ dir: config.nginx.dir, listen: config.nginx.listen, testCommand: config.nginx.testCommand, reloadCommand: config.nginx.reloadCommand }),
    builder: createImageBuilder(docker, { agent: config.name, memoryBytes: config.build.memoryBytes, cpus: config.build.cpus, parallel: config.build.parallel }),
    buildTimeoutMs: config.build.timeoutMs,
    onDeployFinished: (deployment) => metrics?.deployFinished(deployment),
    onCycleFinished: (durationMs) => metrics?.cycleFinished(durationMs),
    store,
    log,
    now: () => new Date(),
    newId: () => randomBytes(8).toString('hex'),
    listen: config.nginx.listen,
    drainMs: config.deploy.drainMs,
    memoryBytes: config.deploy.memoryBytes,
  });
}

/** `nexus agent`: runs until SIGTERM/SIGINT, then finishes the cycle in progress and exits. */
export async function runAgent(options: { config: string }): Promise<number> {
  const config = await loadAgentConfig(options.config);
  const secrets = await loadAgentSecrets(config.dataDir);
  // Every log line passes the redactor: a secret the agent has resolved is never written out.
  const log = createLogger(undefined, (line) => secrets.redactor.redact(line));
  // The JSON file in dataDir, or a Postgres store shared between agents (namespace: the agent's name).
  const store = await openStore({ dataDir: config.dataDir, url: config.state.url ?? (config.state.urlEnv ? process.env[config.state.urlEnv] : undefined), namespace: config.name });
  // Metrics read app info from status at scrape time; the reconciler reports deploys and cycles as they end.
  let statusOf: () => AppInfo[] = () => [];
  const metrics = createMetrics(() => statusOf());
  const reconciler = await buildReconciler(config, log, store, secrets, metrics);
  statusOf = () => reconciler.status().repos.flatMap((repo) => repo.apps.map((app) => ({ repo: repo.name, app: app.name, revision: app.appliedRevision, sync: app.sync, health: app.health })));
  const scheduler = createScheduler({
    repos: config.repos,
    log,
    runCycle: (names, trigger) => reconciler.startCycle({ fetch: config.repos.filter((repo) => names.includes(repo.name)), trigger }),
  });
  const generator = config.ai ? buildGenerator({ config, log, reconciler, scheduler, redactor: secrets.redactor }) : undefined;
  const app = createApp(agentApi({ config, reconciler, scheduler, token: await ensureApiToken(config.dataDir), redactor: secrets.redactor, log, generator, metrics }));
  const server = await startServer(app, config.server.host, config.server.port);
  log.info('agent started', { config: config.file, repos: config.repos.length, status: `http://${config.server.host}:${config.server.port}/status` });
  scheduler.start();

  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  log.info('shutting down: finishing the cycle in progress');
  await scheduler.stop();
  await new Promise((resolve) => server.close(resolve));
  await store.close();
  log.info('agent stopped');
  return 0;
}
