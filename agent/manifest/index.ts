/**
 * The manifest concern: nexus.yaml text in, a typed Manifest (or located,
 * human problems) out. Also home of the generic "YAML + JSON schema with
 * line/column" checker, which the agent config reuses.
 */
export type { AppSpec, BuildSpec, DatabaseKind, FrameworkKind, HealthSpec, Manifest, SecretRef } from './model.ts';
export { FRAMEWORK_KINDS } from './model.ts';
export { MAX_HEALTH_TIMEOUT_MS } from './defaults.ts';
export type { ManifestResult } from './parse.ts';
export { parseManifest } from './parse.ts';
export type { ManifestProblem, PathSegment } from './problem.ts';
export { formatPath, formatProblem, formatProblems, sortProblems } from './problem.ts';
export { InvalidManifestError } from './errors.ts';
export { formatDuration, parseDuration } from './duration.ts';
export type { ProblemAt, YamlCheck } from './checker.ts';
export { createYamlChecker } from './checker.ts';
