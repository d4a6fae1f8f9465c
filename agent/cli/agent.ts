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
import { viewPlan } from '../reconcile/index.ts';
import { ensureApiToken, ensureLabelKey } from './api.ts';

export const usage = 'nexus agent --config FILE    run the agent: poll repos, reconcile, serve /status';

/** Builds the reconciler and its real drivers from an agent config (no singletons). */
export async function buildReconciler(config: AgentConfig, log: Logger, store: StateStore): Promise<Reconciler> {
  const docker = new Docker(config.docker.socketPath ? { socketPath: config.docker.socketPath } : undefined);
  const cacheDir = path.join(config.dataDir, 'repos');
  return createReconciler({
    config,
    fetchHead: (repo) => fetchBranchHead({ name: repo.name, url: repo.url, branch: repo.branch, token: repo.tokenEnv ? process.env[repo.tokenEnv] : undefined }, cacheDir),
    gitdirOf: (repo) => cacheGitDir(cacheDir, repo),
    runtime: createDockerRuntime(docker, config.name, await ensureLabelKey(config.dataDir)),
    proxy: createNginxDriver({ dir: config.nginx.dir, testCommand: config.nginx.testCommand, reloadCommand: config.nginx.reloadCommand }),
    builder: createImageBuilder(docker),
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
  const log = createLogger();
  const config = await loadAgentConfig(options.config);
  // The JSON file in dataDir, or a Postgres store shared between agents (namespace: the agent's name).
  const store = await openStore({ dataDir: config.dataDir, url: config.state.url ?? (config.state.urlEnv ? process.env[config.state.urlEnv] : undefined), namespace: config.name });
  const reconciler = await buildReconciler(config, log, store);
  const scheduler = createScheduler({
    repos: config.repos,
    log,
    runCycle: async (names, trigger) => {
      await reconciler.runCycle({ fetch: config.repos.filter((repo) => names.includes(repo.name)), trigger });
    },
  });
  const app = createApp({
    token: await ensureApiToken(config.dataDir),
    status: () => reconciler.status(),
    plan: async () => viewPlan(await reconciler.preview()),
    history(name) {
      const { repo, app: appName } = reconciler.resolveApp(name);
      return { repo, app: appName, deployments: reconciler.history(repo, appName).map(({ snapshot, ...rest }) => ({ ...rest, image: snapshot?.image ?? rest.image })) };
    },
    async rollback(name, to) {
      const { repo, app: appName } = reconciler.resolveApp(name);
      const { snapshot, ...target } = await reconciler.rollback(repo, appName, to);
      await scheduler.requestSync([repo], 'manual');
      const serving = reconciler.status().repos.find((item) => item.name === repo)?.apps.find((item) => item.name === appName);
      const ok = serving?.release !== undefined && serving.sync === 'Synced' && serving.pinned?.deployment === target.id;
      const message = ok
        ? `${repo}/${appName} rolled back to release ${target.release} (revision ${target.revision.slice(0, 7)}); pinned until a new commit changes it`
        : `${repo}/${appName} pinned to release ${target.release}, but it is not serving yet: ${serving?.lastAttempt?.message ?? serving?.held ?? 'see nexus status'}`;
      return { repo, app: appName, deployment: { ...target, image: snapshot?.image }, message };
    },
    async sync(repo) {
      const names = repo ? config.repos.filter((item) => item.name === repo).map((item) => item.name) : config.repos.map((item) => item.name);
      if (names.length === 0) return { ok: false, message: `no repo named ${repo} in ${config.file}` };
      for (const name of names) await reconciler.clearFailures(name);
      await scheduler.requestSync(names, 'manual');
      return { ok: true, message: `synced ${names.join(', ')}` };
    },
  });
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
