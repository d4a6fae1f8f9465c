/** Turning a committed build context into a Docker image. */
export { packBuildContext } from './context.ts';
export { buildImage, findImage, BuildFailedError, type BuildRequest, type BuildResult } from './image.ts';
export { createImageBuilder, imageTag, type ImageBuilder, type ImageRequest, type ImageOutcome } from './builder.ts';
