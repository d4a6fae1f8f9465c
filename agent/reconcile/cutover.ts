import { renderServerBlock, routeFileName, type ProxyDriver } from '../proxy/index.ts';
import type { ContainerRuntime, ObservedContainer } from '../runtime/index.ts';
import { MAX_LOG_CHARS, type ImageBuilder } from '../build/index.ts';
import type { Logger } from '../log/index.ts';
import { describeError } from '../errors/index.ts';
import { appKey, type Deployment, type ReleaseSnapshot, type StateStore, type Trigger } from '../../state/index.ts';
import { isTransient } from './retry.ts';
import { waitUntilHealthy } from './health-check.ts';
import { imagesToKeep, RELEASES_KEPT_PER_APP } from './image-retention.ts';
import type { DesiredApp } from './desired.ts';
import type { ObservedDatabaseServer } from './plan.ts';

/** What a deploy needs from the outside world, passed in (no singletons). */
export interface DeployContext {
  runtime: ContainerRuntime;
  proxy: ProxyDriver;
  builder: ImageBuilder;
  store: StateStore;
  log: Logger;
  now: () => Date;
  newId: () => string;
  gitdirOf: (repo: string) => string;
  listen: string;
  drainMs: number;
  memoryBytes: number;
  /**
   * The container's full environment (plain values, secrets, DATABASE_URL)
   * and the secret part sealed for the release record. Default: plain only.
   */
  resolveEnv?: (desired: DesiredApp) => Promise<ResolvedEnv>;
  /** Per-app Postgres databases; absent when the agent has no database support wired. */
  databases?: DatabaseProvisioner;
  /** The Docker network apps with a database run on (to reach the platform Postgres by name). */
  appNetwork?: () => string | undefined;
  /** The agent's longest build; a manifest may ask for less. Default: no limit. */
  buildTimeoutMs?: number;
  /** Told of every deployment that reached success or failed (metrics). */
  onDeployFinished?: (deployment: Deployment) => void;
}

/** What the reconciler needs from the database driver. */
export interface DatabaseProvisioner {
  /**
   * Whether the server answers, and which app databases exist on it. With
   * `create: false` (a dry run) a platform server that does not exist yet is
   * reported rather than made.
   */
  observe(options?: { create?: boolean }): Promise<ObservedDatabaseServer>;
  /** Creates (or repairs) the app's role and database and records it; idempotent. */
  ensure(repo: string, app: string): Promise<void>;
  /** Sets a new password and records it. */
  rotate(repo: string, app: string): Promise<void>;
  /** Drops database and role and forgets the record. */
  drop(repo: string, app: string): Promise<void>;
}

export interface ResolvedEnv {
  env: Record<string, string>;
  sealedEnv: Record<string, string>;
}

export interface DeployRequest {
  desired: DesiredApp;
  /** Containers of the app that the new release replaces once it serves. */
  replaces: ObservedContainer[];
  reason: string;
  trigger: Trigger;
}

/**
 * Blue-green cutover: build → start the new release beside the old → health
 * check → switch the route (nginx -t, reload) → drain → remove the old.
 * On any failure the new container is removed and the route and the old
 * container are left exactly as they were; the failure is recorded so the
 * same spec is not retried on every poll.
 */
export async function deployRelease(request: DeployRequest, ctx: DeployContext): Promise<Deployment> {
  const { desired } = request;
  const id = ctx.newId();
  const release = `${desired.revision.slice(0, 7)}-${id.slice(0, 6)}`;
  const fields = { repo: desired.repo, app: desired.app, revision: desired.revision, deployment: id };
  const deployment: Deployment = {
    id, repo: desired.repo, app: desired.app, revision: desired.revision, specHash: desired.specHash,
    trigger: request.trigger, reason: request.reason, status: 'building', release, startedAt: ctx.now().toISOString(),
  };
  const save = () => ctx.store.update((state) => {
    const index = state.deployments.findIndex((item) => item.id === id);
    if (index >= 0) state.deployments[index] = { ...deployment };
    else state.deployments.push({ ...deployment });
  });
  await save();
  ctx.log.info('deploy started', { ...fields, reason: request.reason });

  let started: ObservedContainer | undefined;
  try {
    // 1. Environment: secrets are opened only now, in memory, for the container.
    const resolved = ctx.resolveEnv ? await ctx.resolveEnv(desired) : { env: desired.spec.env, sealedEnv: {} };

    // 2. Image: the recorded one (rollback), from the build cache, or built
    //    from the git tree; its output is saved as it comes (nexus logs -f).
    const buildStart = Date.now();
    const buildLog = createLogWriter((text) => ctx.store.writeBuildLog(id, text));
    if (desired.image && ctx.builder.hasImage && !(await ctx.builder.hasImage(desired.image))) {
      throw new Error(`the image of release ${desired.pinnedTo?.release ?? desired.image} is no longer on this host (the agent keeps the images of the last ${RELEASES_KEPT_PER_APP} releases of each app) — roll back to a newer release (nexus history ${desired.app}), or run \`nexus rollback ${desired.app}\` after pushing that commit again`);
    }
    const image = desired.image ? { image: desired.image, cached: true, log: `rollback: reusing image ${desired.image}, no build\n` } : await ctx.builder.ensureImage({
      repo: desired.repo, app: desired.app, gitdir: ctx.gitdirOf(desired.repo), revision: desired.revision, plan: desired.build,
      timeoutMs: Math.min(ctx.buildTimeoutMs ?? Number.POSITIVE_INFINITY, desired.spec.build.timeoutMs ?? Number.POSITIVE_INFINITY),
      onLog: buildLog.append,
    }).catch(async (error: unknown) => {
      await buildLog.close();
      const log = (error as { data?: { log?: string } }).data?.log;
      if (log) await ctx.store.writeBuildLog(id, log);
      throw error;
    });
    await buildLog.close();
    await ctx.store.writeBuildLog(id, image.log);
    const snapshot: ReleaseSnapshot = {
      image: image.image, port: desired.spec.port, domains: desired.spec.domains, health: desired.spec.health,
      env: desired.spec.env, sealedEnv: resolved.sealedEnv, memoryBytes: ctx.memoryBytes,
    };
    Object.assign(deployment, { image: image.image, cached: image.cached, buildMs: Date.now() - buildStart, status: 'deploying', snapshot });
    await save();
    ctx.log.info('image ready', { ...fields, image: image.image, cached: image.cached, durationMs: deployment.buildMs });

    // 3. Start beside the old release and wait until it is healthy.
    const deployStart = Date.now();
    started = await ctx.runtime.startRelease({
      identity: { repo: desired.repo, app: desired.app, revision: desired.revision, specHash: desired.specHash, release },
      image: image.image, port: desired.spec.port, env: resolved.env, memoryBytes: ctx.memoryBytes,
      network: desired.spec.database ? ctx.appNetwork?.() : undefined,
    });
    const container = started;
    if (container.hostPort === undefined) throw new Error(`container ${container.name} has no published port`);
    await waitUntilHealthy({
      hostPort: container.hostPort, path: desired.spec.health.path, timeoutMs: desired.spec.health.timeoutMs,
      stillRunning: () => ctx.runtime.runState(container.id),
    });

    // 4. Switch the route; nginx -t guards the reload.
    const file = routeFileName(desired.repo, desired.app);
    if (desired.spec.domains.length > 0) {
      await ctx.proxy.writeRoute(file, renderServerBlock({
        repo: desired.repo, app: desired.app, release, domains: desired.spec.domains, listen: ctx.listen, upstreamPort: container.hostPort,
      }));
      // Drain only once nginx itself answers from the new release (a reload is not instant for new connections).
      const confirmed = await ctx.proxy.confirmRoute?.({ domain: desired.spec.domains[0]!, path: desired.spec.health.path, release, timeoutMs: 5_000 }) ?? true;
      if (!confirmed) ctx.log.warn('nginx did not confirm the switch within 5 s; draining anyway', { ...fields, release });
    } else {
      await ctx.proxy.removeRoute(file);
    }

    // 5. Drain: nginx's old workers finish their requests to the old release.
    if (request.replaces.length > 0) await new Promise((resolve) => setTimeout(resolve, ctx.drainMs));
    for (const old of request.replaces) await ctx.runtime.removeContainer(old.id);

    Object.assign(deployment, { status: 'success', deployMs: Date.now() - deployStart, finishedAt: ctx.now().toISOString() });
    await ctx.store.update((state) => {
      delete state.failed[appKey(desired.repo, desired.app)];
    });
    await save();
    ctx.log.info('deploy succeeded', { ...fields, release, durationMs: (deployment.buildMs ?? 0) + (deployment.deployMs ?? 0) });
    // Past the switch: a failed prune is logged, never a failed deploy.
    const removed = await ctx.builder.pruneImages?.({ repo: desired.repo, keep: imagesToKeep(ctx.store.read().deployments, desired.repo, undefined, Object.values(ctx.store.read().pins ?? {}).map((pin) => pin.deploymentId)) })
      .catch((error: unknown) => { ctx.log.warn('image prune failed', { ...fields, error: describeError(error) }); return []; });
    if (removed?.length) ctx.log.info('old images removed', { ...fields, images: removed.join(',') });
    ctx.onDeployFinished?.(deployment);
    return deployment;
  } catch (error) {
    if (started) await ctx.runtime.removeContainer(started.id, 1).catch(() => undefined);
    // Could not reach Docker or nginx: not a verdict on this spec, so it is
    // not remembered as failed and the next cycle tries again.
    const transient = isTransient(error);
    const message = transient ? `${describeError(error)} (transient: retried on the next cycle)` : describeError(error);
    Object.assign(deployment, { status: 'failed', message, finishedAt: ctx.now().toISOString() });
    if (!transient) {
      await ctx.store.update((state) => {
        state.failed[appKey(desired.repo, desired.app)] = { specHash: desired.specHash, revision: desired.revision, deploymentId: id, message, at: deployment.finishedAt! };
      });
    }
    await save();
    ctx.log.error('deploy failed', { ...fields, error: message });
    ctx.onDeployFinished?.(deployment);
    return deployment;
  }
}

/**
 * Saves a growing build log at most once a second while a build runs, so
 * `nexus logs --build -f` can follow it; writes never overlap, and the
 * kept text is the tail (the end explains a failure).
 */
function createLogWriter(write: (text: string) => Promise<void>): { append: (text: string) => void; close: () => Promise<void> } {
  let text = '';
  let dirty = false;
  let writing: Promise<void> = Promise.resolve();
  const flush = () => {
    if (!dirty) return writing;
    dirty = false;
    const snapshot = text;
    writing = writing.then(() => write(snapshot)).catch(() => undefined);
    return writing;
  };
  const timer = setInterval(() => void flush(), 1_000);
  timer.unref();
  return {
    append(chunk) {
      text = (text + chunk).slice(-MAX_LOG_CHARS);
      dirty = true;
    },
    async close() {
      clearInterval(timer);
      await writing;
    },
  };
}
