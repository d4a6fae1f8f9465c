/** Containers: labels, create options (pure) and the Docker driver. */
export { LABEL, labelsFor, identityFromLabels, type ReleaseIdentity } from './labels.ts';
export { renderCreateOptions, containerName, type ContainerPlan } from './container-spec.ts';
export { createDockerRuntime, type ContainerRuntime, type ObservedContainer } from './docker-runtime.ts';
