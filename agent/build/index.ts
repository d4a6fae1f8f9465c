/**
 * Turning a committed build context into a Docker image: the app's own
 * Dockerfile, or one generated from the detected framework.
 */
export { packBuildContext } from './context.ts';
export { buildImage, findImage, BuildFailedError, BuildTimeoutError, MAX_LOG_CHARS, type BuildRequest, type BuildResult } from './image.ts';
export { createImageBuilder, contextFiles, imageTag, type ImageBuilder, type ImageRequest, type ImageOutcome, type BuildLimits } from './builder.ts';
export { planBuild, BuildPlanProblem, type BuildPlan } from './resolve.ts';
export { filterContext, GENERATED_BUILD_IGNORES } from './context-filter.ts';
export { summariseBuildFailure } from './build-log.ts';
export { detectApp, explainDetection, UnrecognisedAppError, type Detection } from './detect/detect.ts';
export { renderGeneratedBuild, renderStaticNginxConf, GENERATED_DIR, APP_UID } from './detect/dockerfile.ts';
export { TreeDetectorFs, type FileTree } from './detect/tree-fs.ts';
