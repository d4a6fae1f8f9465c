import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { NexusError, describeError } from '../errors/index.ts';
import { formatDuration } from '../manifest/index.ts';
import { summariseBuildFailure } from './build-log.ts';
import { readBuildStream } from './build-stream.ts';

export class BuildFailedError extends NexusError<'BUILD_FAILED', { image: string; log: string }> {
  constructor(image: string, reason: string, log: string) {
    super('BUILD_FAILED', `build of ${image} failed: ${reason} — fix the Dockerfile or the code and push a new commit`, { image, log });
  }
}

export class BuildTimeoutError extends NexusError<'BUILD_TIMEOUT', { image: string; log: string; timeoutMs: number }> {
  constructor(image: string, timeoutMs: number, log: string) {
    super('BUILD_TIMEOUT', `build of ${image} was stopped after ${formatDuration(timeoutMs)}, its build timeout — make the build faster (the agent allows at most its build.timeout; the manifest's build.timeout may only lower it) and push a new commit`, { image, log, timeoutMs });
  }
}

export interface BuildRequest {
  /** Full tag, e.g. "nexus/demo:1a2b3c4d5e6f". */
  tag: string;
  context: Readable;
  /** Dockerfile path inside the context. */
  dockerfile: string;
  labels: Record<string, string>;
  /** Stop the build after this long; default: no limit. */
  timeoutMs?: number;
  /** Memory limit of each build step's container. */
  memoryBytes?: number;
  /** CPUs of each build step's container. */
  cpus?: number;
  /** Build output as it comes. */
  onLog?: (text: string) => void;
}

export interface BuildResult {
  imageId: string;
  log: string;
}

/** Keep the build log bounded: the tail is where a failure's reason is. */
export const MAX_LOG_CHARS = 64_000;

/**
 * Builds an image with Docker's classic build API (BuildKit sessions do not
 * work through dockerode on this daemon). Never pulls: base images must
 * already be on the host (FROM finds local images by name). A build past
 * its timeout is cancelled by closing the request, which makes dockerd
 * stop the running step.
 */
export async function buildImage(docker: Docker, request: BuildRequest): Promise<BuildResult> {
  let log = '';
  const append = (text: string) => {
    log = (log + text).slice(-MAX_LOG_CHARS);
    request.onLog?.(text);
  };
  const abort = new AbortController();
  let timedOut = false;
  const timer = request.timeoutMs === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    append(`\nNEXUS: build stopped after ${formatDuration(request.timeoutMs!)} (build timeout)\n`);
    abort.abort();
  }, request.timeoutMs);
  const fail = (error: unknown): never => {
    if (timedOut) throw new BuildTimeoutError(request.tag, request.timeoutMs!, log);
    throw new BuildFailedError(request.tag, describeError(error), log);
  };
  try {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await docker.buildImage(request.context, {
        t: request.tag,
        dockerfile: request.dockerfile,
        labels: request.labels,
        rm: true,
        forcerm: true,
        ...(request.memoryBytes ? { memory: request.memoryBytes, memswap: request.memoryBytes } : {}),
        ...(request.cpus ? { cpuperiod: 100_000, cpuquota: Math.round(request.cpus * 100_000) } : {}),
        abortSignal: abort.signal,
      } as Docker.ImageBuildOptions);
    } catch (error) {
      return fail(error);
    }
    // Read event by event: nothing but the capped log is kept, however much a build prints.
    const outcome = await readBuildStream(stream, (event) => {
      if (typeof event.stream === 'string') append(event.stream);
      if (typeof event.status === 'string') append(`${event.status}\n`);
      if (typeof event.error === 'string') append(`ERROR: ${event.error}\n`);
    }).catch(fail);
    if (timedOut) fail(new Error('timeout'));
    if (outcome.error !== undefined) throw new BuildFailedError(request.tag, summariseBuildFailure(outcome.error, log), log);
    const image = await docker.getImage(request.tag).inspect().catch(() => undefined);
    if (!image) throw new BuildFailedError(request.tag, 'Docker reported success but the image is missing', log);
    return { imageId: image.Id, log };
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** The id of an existing image with this tag, or undefined. */
export async function findImage(docker: Docker, tag: string): Promise<string | undefined> {
  const image = await docker.getImage(tag).inspect().catch(() => undefined);
  return image?.Id;
}
