/**
 * The agent's HTTP API handlers, built from the running reconciler and
 * scheduler. Each mutating call changes state through the reconciler, then
 * asks the scheduler for a cycle (queued behind any cycle in progress, so
 * one app never has two operations at once) and reports what serves after.
 */
import type { AgentConfig } from '../config/index.ts';
import { viewPlan, type Reconciler } from '../reconcile/index.ts';
import type { Scheduler } from '../scheduler/index.ts';
import type { ServerDeps } from '../server/index.ts';
import type { Redactor } from '../secrets/index.ts';
import type { Generator } from '../ai/generator.ts';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log/index.ts';
import { createJobs } from '../server/jobs.ts';
import type { Metrics } from '../metrics/index.ts';
import { createWebhookHandler } from '../server/webhooks/handle.ts';
import { NexusError } from '../errors/index.ts';
import type { GenerateBody } from '../server/generate-body.ts';

export function agentApi(input: { config: AgentConfig; reconciler: Reconciler; scheduler: Scheduler; token: string; redactor: Redactor; log: Logger; generator?: Generator; metrics?: Metrics }): ServerDeps {
  const { config, reconciler, scheduler } = input;
  const appStatus = (repo: string, app: string) => reconciler.status().repos.find((item) => item.name === repo)?.apps.find((item) => item.name === app);
  const afterSync = (repo: string, app: string, done: string) => {
    const status = appStatus(repo, app);
    const problem = status?.held ?? (status?.lastAttempt?.status === 'failed' ? status.lastAttempt.message : undefined);
    return problem ? `${done}, but ${repo}/${app} is not serving it: ${problem}` : `${done}; ${repo}/${app} is ${status?.sync ?? 'Unknown'} and ${status?.health ?? 'Unknown'}`;
  };

  // Webhook pushes and `nexus sync` run as jobs: an id at once, requests within 250 ms coalesced into one sync.
  const jobs = createJobs({
    sync: (repos) => scheduler.requestSync(repos, 'webhook'),
    outcome: (repos) => reconciler.status().repos.filter((repo) => repos.includes(repo.name)).map((repo) => ({
      repo: repo.name,
      apps: repo.apps.map((app) => ({ name: app.name, sync: app.sync, health: app.health, revision: app.appliedRevision, lastAttempt: app.lastAttempt && { status: app.lastAttempt.status, message: app.lastAttempt.message } })),
    })),
    newId: () => randomBytes(6).toString('hex'),
    now: () => new Date(),
  });
  const webhook = createWebhookHandler({
    // Secrets are read from the environment at delivery time, and remembered by the redactor.
    repos: () => config.repos.map((repo) => {
      const secret = repo.webhookSecretEnv ? process.env[repo.webhookSecretEnv] : undefined;
      if (secret) input.redactor.remember(secret);
      return { name: repo.name, url: repo.url, branch: repo.branch, ...(secret ? { secret } : {}) };
    }),
    startJob: (repos, trigger) => jobs.start(repos, `webhook:${trigger.provider}${trigger.delivery ? `:${trigger.delivery.slice(0, 64)}` : ''}`),
    log: input.log,
  });

  return {
    token: input.token,
    redact: (value) => input.redactor.redactDeep(value),
    webhook: (provider, headers, raw) => {
      const answer = webhook(provider, headers, raw);
      input.metrics?.webhookAnswered(provider, answer.status);
      return answer;
    },
    ...(input.metrics ? { metrics: () => input.metrics!.render() } : {}),
    job: (id) => jobs.get(id),
    startSync(repo) {
      if (!config.repos.some((item) => item.name === repo)) throw new NexusError('REPO_NOT_FOUND', `no repo named ${repo} in ${config.file} — \`nexus status\` lists the watched repos`, { repo });
      // An explicit sync retries what failed before.
      void reconciler.clearFailures(repo);
      return { job: jobs.start([repo], 'manual'), repo };
    },
    // Generations show in /status by their summary; the whole record (steps, files) is at /api/generations/:id.
    status: () => ({
      ...reconciler.status(),
      ...(input.generator ? { generations: input.generator.list().slice(0, 10).map(({ id, repo, app, status, message, rounds, startedAt, finishedAt }) => ({ id, repo, app, status, message, commits: rounds.flatMap((round) => (round.commit ? [round.commit] : [])), startedAt, finishedAt })) } : {}),
    }),
    ...(input.generator ? { generate: (body: GenerateBody) => input.generator!.start(body), generation: (id: string) => input.generator!.get(id) } : {}),
    plan: async () => viewPlan(await reconciler.preview()),

    history(name) {
      const { repo, app } = reconciler.resolveApp(name);
      // The release snapshot (env, sealed secrets) stays inside the agent.
      return { repo, app, deployments: reconciler.history(repo, app).map(({ snapshot, ...rest }) => ({ ...rest, image: snapshot?.image ?? rest.image })) };
    },

    async buildLog(name, id) {
      const { repo, app } = reconciler.resolveApp(name);
      const { deployment: { snapshot, ...deployment }, log } = await reconciler.buildLog(repo, app, id);
      return { repo, app, deployment: { ...deployment, image: snapshot?.image ?? deployment.image }, log };
    },

    async rollback(name, to) {
      const { repo, app } = reconciler.resolveApp(name);
      const { snapshot, ...target } = await reconciler.rollback(repo, app, to);
      await scheduler.requestSync([repo], 'manual');
      const serving = appStatus(repo, app);
      const ok = serving?.release !== undefined && serving.sync === 'Synced' && serving.pinned?.deployment === target.id;
      const message = ok
        ? `${repo}/${app} rolled back to release ${target.release} (revision ${target.revision.slice(0, 7)}); pinned until a new commit changes it`
        : `${repo}/${app} pinned to release ${target.release}, but it is not serving yet: ${serving?.lastAttempt?.message ?? serving?.held ?? 'see nexus status'}`;
      return { repo, app, deployment: { ...target, image: snapshot?.image }, message };
    },

    async setSecret(name, secret, value) {
      const { repo, app } = reconciler.resolveApp(name);
      input.redactor.remember(value);
      await reconciler.setSecret(repo, app, secret, value);
      await scheduler.requestSync([repo], 'manual');
      return { message: afterSync(repo, app, `secret ${secret} of ${repo}/${app} stored (sealed)`) };
    },

    async rotateDatabase(name) {
      const { repo, app } = reconciler.resolveApp(name);
      await reconciler.rotateDatabase(repo, app);
      await scheduler.requestSync([repo], 'manual');
      return { message: afterSync(repo, app, `database password of ${repo}/${app} rotated`) };
    },

    async dropDatabase(name) {
      const { repo, app } = reconciler.resolveApp(name);
      await reconciler.dropDatabase(repo, app);
      return { message: `database and role of ${repo}/${app} dropped` };
    },

    async sync(repo) {
      const names = repo ? config.repos.filter((item) => item.name === repo).map((item) => item.name) : config.repos.map((item) => item.name);
      if (names.length === 0) return { ok: false, message: `no repo named ${repo} in ${config.file}` };
      for (const name of names) await reconciler.clearFailures(name);
      await scheduler.requestSync(names, 'manual');
      return { ok: true, message: `synced ${names.join(', ')}` };
    },
  };
}
