/** The reconcile loop: desired → observed → plan (pure) → apply → status. */
export { createReconciler, publicUrl, type Reconciler, type ReconcilerDeps, type CycleReport, type FetchHead } from './reconciler.ts';
export { plan, ACTION_KINDS, PREREQUISITE_KINDS, type ObservedDatabaseServer, type PinnedRelease, type Plan, type Action, type Hold, type Observed, type PlanInput } from './plan.ts';
export { AppNotFoundError, RollbackRefusedError, SecretNameError, DatabaseCommandError, type Operations } from './operations.ts';
export { readDesiredRepo, hashOf, type DesiredApp, type DesiredRepo } from './desired.ts';
export { buildStatus, redactUrl, type StatusReport, type RepoStatus, type AppStatus, type SyncStatus, type HealthStatus } from './status.ts';
export { deployRelease, type DeployContext, type DeployRequest, type ResolvedEnv, type DatabaseProvisioner } from './cutover.ts';
export { createEnvResolver, SecretNotSetError, type EnvSources } from './env.ts';
export { withStateVersions } from './desired.ts';
export { viewPlan, renderPlanTable, type PlanView, type ActionView } from './plan-view.ts';
export { isTransient, withRetry } from './retry.ts';
export { HealthCheckFailedError } from './health-check.ts';
export type { ActionOutcome } from './apply.ts';
