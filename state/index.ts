/** The agent's persistent store: deployment history, failed specs, repo records. */
export { openJsonStore, type StateStore } from './json-store.ts';
export { appKey, emptyState, type StateData, type Deployment, type DeploymentStatus, type Trigger, type RepoRecord, type FailedSpec, type ReleaseSnapshot, type Pin, type DatabaseRecord } from './model.ts';
