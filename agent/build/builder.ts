import type Docker from 'dockerode';
import { listFilesAt } from '../source/index.ts';
import { packBuildContext } from './context.ts';
import { buildImage, findImage } from './image.ts';

export interface ImageRequest {
  repo: string;
  app: string;
  /** Content key of context + Dockerfile: the image tag. */
  buildKey: string;
  gitdir: string;
  revision: string;
  context: string;
  dockerfile: string;
}

export interface ImageOutcome {
  image: string;
  cached: boolean;
  log: string;
}

/** Gives the image for a build key, building it only when it is not on the host yet. */
export interface ImageBuilder {
  ensureImage(request: ImageRequest): Promise<ImageOutcome>;
}

export function imageTag(repo: string, app: string, buildKey: string): string {
  return `nexus/${repo}-${app}:${buildKey}`;
}

/** The real builder: the build context is read from the git tree, never a work tree. */
export function createImageBuilder(docker: Docker): ImageBuilder {
  return {
    async ensureImage(request) {
      const tag = imageTag(request.repo, request.app, request.buildKey);
      if (await findImage(docker, tag)) return { image: tag, cached: true, log: `using cached image ${tag}\n` };
      const context = packBuildContext(listFilesAt(request.gitdir, request.revision, request.context));
      const result = await buildImage(docker, {
        tag,
        context,
        dockerfile: request.dockerfile,
        labels: { 'nexus.managed': 'true', 'nexus.repo': request.repo, 'nexus.app': request.app, 'nexus.revision': request.revision },
      });
      return { image: tag, cached: false, log: result.log };
    },
  };
}
