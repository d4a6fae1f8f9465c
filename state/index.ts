/** The agent's persistent store: deployment history, failed specs, repo records. */
export { openJsonStore, type StateStore } from './json-store.ts';
export { openPgStore, parsePgUrl, describeTarget, StateStoreUnavailableError, InvalidStateUrlError, type PgStoreOptions, type PgTarget } from './pg-store.ts';
export { openStore, type OpenStoreOptions } from './open.ts';
export { trimHistory, HISTORY_PER_APP } from './history.ts';
export { appKey, emptyState, type StateData, type Deployment, type DeploymentStatus, type Trigger, type RepoRecord, type FailedSpec, type ReleaseSnapshot, type Pin, type DatabaseRecord } from './model.ts';
