import type Docker from 'dockerode';
import { listTreeAt, readBlob, type TreeFile } from '../source/index.ts';
import { filterContext } from './context-filter.ts';
import { packBuildContext } from './context.ts';
import { buildImage, findImage } from './image.ts';
import type { BuildPlan } from './resolve.ts';
import { createFairLimiter } from '../limiter/index.ts';

export interface ImageRequest {
  repo: string;
  app: string;
  gitdir: string;
  revision: string;
  plan: BuildPlan;
  /** Stop the build after this long (the agent's limit, or less if the manifest asks). */
  timeoutMs: number;
  /** Receives build output as it comes (for live logs). */
  onLog?: (text: string) => void;
}

export interface ImageOutcome {
  image: string;
  cached: boolean;
  log: string;
}

/** Gives the image for a build key, building it only when it is not on the host yet. */
export interface ImageBuilder {
  ensureImage(request: ImageRequest): Promise<ImageOutcome>;
  /** Whether an image (by tag) is on the host. */
  hasImage?(image: string): Promise<boolean>;
  /**
   * Removes the repo's images that are not in `keep` (and older than a few
   * minutes, so an image between its build and its first container is never
   * taken), and build-stage layers of generated builds unused for a day.
   * Images in use by a container are left (Docker refuses). Returns the tags removed.
   */
  pruneImages?(input: { repo: string; keep: ReadonlySet<string> }): Promise<string[]>;
}

/** An image younger than this is never pruned: it may be on its way to a container. */
const PRUNE_MIN_AGE_MS = 10 * 60_000;


/** Who builds (the agent's name scopes its image names) and the limits every build runs under. */
export interface BuildLimits {
  agent: string;
  memoryBytes: number;
  cpus: number;
  /** Builds at once across all repos (others wait their turn; the timeout starts with the build). */
  parallel?: number;
  /** Images younger than this are never pruned; default 10 min (tests make it 0). */
  pruneMinAgeMs?: number;
}

/**
 * Images are named by content, per agent and repo: apps of one repo whose
 * contexts and Dockerfiles are the same share one image, and one tenant's
 * tags never name another's images (nor another agent's on the same host).
 */
export function imageTag(agent: string, repo: string, buildKey: string): string {
  return `nexus/${agent}/${repo}:${buildKey}`;
}

/**
 * The real builder: the build context is read from the git tree (never a
 * work tree), filtered exactly as the build key was computed. Concurrent
 * requests for one tag share a single build.
 */
export function createImageBuilder(docker: Docker, limits: BuildLimits): ImageBuilder {
  const inFlight = new Map<string, Promise<ImageOutcome>>();
  // Build slots are shared round-robin between repos; one repo never holds them all.
  const slots = createFairLimiter(limits.parallel ?? Number.MAX_SAFE_INTEGER);

  async function build(request: ImageRequest, tag: string): Promise<ImageOutcome> {
    if (await findImage(docker, tag)) return { image: tag, cached: true, log: `using cached image ${tag}\n` };
    request.onLog?.(`waiting for a build slot (${limits.parallel ?? 'unlimited'} builds at once, shared fairly between repos)\n`);
    return slots.run(request.repo, () => buildNow(request, tag));
  }

  async function buildNow(request: ImageRequest, tag: string): Promise<ImageOutcome> {
    const { plan } = request;
    const result = await buildImage(docker, {
      tag,
      context: packBuildContext(contextFiles(request.gitdir, request.revision, request.plan)),
      dockerfile: plan.dockerfile,
      labels: { 'nexus.managed': 'true', 'nexus.agent': limits.agent, 'nexus.repo': request.repo, 'nexus.app': request.app, 'nexus.revision': request.revision, 'nexus.build-key': plan.buildKey },
      timeoutMs: request.timeoutMs,
      memoryBytes: limits.memoryBytes,
      cpus: limits.cpus,
      onLog: request.onLog,
    });
    return { image: tag, cached: false, log: result.log };
  }

  return {
    async hasImage(image) {
      return (await findImage(docker, image)) !== undefined;
    },

    async pruneImages({ repo, keep }) {
      const prefix = `nexus/${limits.agent}/${repo}:`;
      const images = await docker.listImages({ filters: { reference: [`nexus/${limits.agent}/${repo}`] } });
      const removed: string[] = [];
      const oldEnough = (Date.now() - (limits.pruneMinAgeMs ?? PRUNE_MIN_AGE_MS)) / 1000;
      for (const image of images) {
        if (image.Created > oldEnough) continue;
        for (const tag of image.RepoTags ?? []) {
          if (!tag.startsWith(prefix) || keep.has(tag)) continue;
          await docker.getImage(tag).remove().then(() => removed.push(tag), () => undefined);
        }
      }
      // The build stages of generated Dockerfiles (labelled) are the install cache: kept for a day after last use.
      await docker.pruneImages({ filters: { dangling: ['true'], label: ['nexus.stage=build'], until: ['24h'] } }).catch(() => undefined);
      return removed;
    },

    ensureImage(request) {
      const tag = imageTag(limits.agent, request.repo, request.plan.buildKey);
      const running = inFlight.get(tag);
      if (running) return running.then((outcome) => ({ ...outcome, cached: true, log: `shared the build of ${tag} with another app\n${outcome.log}` }));
      const promise = build(request, tag).finally(() => inFlight.delete(tag));
      inFlight.set(tag, promise);
      return promise;
    },
  };
}

/**
 * The files Docker gets for a planned build: the context filtered exactly
 * as its build key was computed, plus the generated files.
 */
export async function* contextFiles(gitdir: string, revision: string, plan: BuildPlan): AsyncGenerator<TreeFile> {
  const entries = (await listTreeAt(gitdir, revision, plan.context)) ?? [];
  const dockerignoreEntry = entries.find((entry) => entry.path === '.dockerignore');
  const dockerignore = dockerignoreEntry ? Buffer.from(await readBlob(gitdir, dockerignoreEntry.oid)).toString('utf8') : undefined;
  const generated = plan.generated ?? {};
  const files = filterContext(entries, { dockerignore, generated: plan.generated !== undefined, exclude: plan.exclude, dockerfile: plan.generated ? undefined : plan.dockerfile });
  for (const entry of files) {
    if (generated[entry.path] !== undefined) continue;
    yield { path: entry.path, mode: entry.mode, content: await readBlob(gitdir, entry.oid) };
  }
  for (const [path, content] of Object.entries(generated)) yield { path, mode: 0o100644, content: Buffer.from(content) };
}
