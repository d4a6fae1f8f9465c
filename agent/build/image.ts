import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { NexusError, describeError } from '../errors/index.ts';

export class BuildFailedError extends NexusError<'BUILD_FAILED', { image: string; log: string }> {
  constructor(image: string, reason: string, log: string) {
    super('BUILD_FAILED', `build of ${image} failed: ${reason} — fix the Dockerfile or the code and push a new commit`, { image, log });
  }
}

export interface BuildRequest {
  /** Full tag, e.g. "nexus/demo-web:1a2b3c4d5e6f". */
  tag: string;
  context: Readable;
  /** Dockerfile path inside the context. */
  dockerfile: string;
  labels: Record<string, string>;
}

export interface BuildResult {
  imageId: string;
  log: string;
}

/** Keep the build log bounded: the tail is where a failure's reason is. */
const MAX_LOG_CHARS = 64_000;

/**
 * Builds an image with Docker's build API. Never pulls: base images must
 * already be on the host (FROM finds local images by name).
 */
export async function buildImage(docker: Docker, request: BuildRequest): Promise<BuildResult> {
  let log = '';
  const append = (text: string) => {
    log = (log + text).slice(-MAX_LOG_CHARS);
  };
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage(request.context, {
      t: request.tag,
      dockerfile: request.dockerfile,
      labels: request.labels,
      rm: true,
      forcerm: true,
    });
  } catch (error) {
    throw new BuildFailedError(request.tag, describeError(error), log);
  }
  const events = await followBuild(docker, stream, (event) => {
    if (typeof event.stream === 'string') append(event.stream);
    if (typeof event.status === 'string') append(`${event.status}\n`);
    if (typeof event.error === 'string') append(`ERROR: ${event.error}\n`);
  }).catch((error: unknown) => {
    throw new BuildFailedError(request.tag, describeError(error), log);
  });
  const failure = events.find((event) => typeof event.error === 'string');
  if (failure) throw new BuildFailedError(request.tag, String(failure.error).trim(), log);
  const image = await docker.getImage(request.tag).inspect().catch(() => undefined);
  if (!image) throw new BuildFailedError(request.tag, 'Docker reported success but the image is missing', log);
  return { imageId: image.Id, log };
}

interface BuildEvent {
  stream?: unknown;
  status?: unknown;
  error?: unknown;
}

function followBuild(docker: Docker, stream: NodeJS.ReadableStream, onEvent: (event: BuildEvent) => void): Promise<BuildEvent[]> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null, events: BuildEvent[]) => (error ? reject(error) : resolve(events)),
      onEvent,
    );
  });
}

/** The id of an existing image with this tag, or undefined. */
export async function findImage(docker: Docker, tag: string): Promise<string | undefined> {
  const image = await docker.getImage(tag).inspect().catch(() => undefined);
  return image?.Id;
}
