import { createHash } from 'node:crypto';
import { formatDuration, parseManifest, sortProblems, type AppSpec, type ManifestProblem } from '../manifest/index.ts';
import { planBuild, BuildPlanProblem, type BuildPlan } from '../build/index.ts';
import type { BuildConfig } from '../config/index.ts';
import { readFileAt } from '../source/index.ts';
import { appKey, type Deployment, type StateData } from '../../state/index.ts';

/** One app as git says it should run. */
export interface DesiredApp {
  repo: string;
  app: string;
  revision: string;
  spec: AppSpec;
  /** How the image is built (own or generated Dockerfile), decided from the commit. */
  build: BuildPlan;
  /** Identifies the image: the filtered context and the Dockerfile (given or generated). */
  buildKey: string;
  /** Identifies the release: build key plus everything else in the spec. */
  specHash: string;
  /** A recorded image to run as is (rollback): no build. */
  image?: string;
  /** Secret env values of a recorded release, sealed to the agent's key. */
  sealedEnv?: Record<string, string>;
  /** Set when this target is a rollback pin rather than the branch head. */
  pinnedTo?: { deploymentId: string; release: string };
}

/**
 * The release a rollback pin holds an app at, as a deploy target: the
 * recorded image, port, domains, health and env, with the recorded spec
 * hash so a container of it counts as converged. Undefined when the
 * deployment has no snapshot (then the pin cannot be honoured).
 */
export function pinnedTarget(fromGit: DesiredApp, deployment: Deployment): DesiredApp | undefined {
  const snapshot = deployment.snapshot;
  if (!snapshot) return undefined;
  return {
    repo: fromGit.repo,
    app: fromGit.app,
    revision: deployment.revision,
    build: fromGit.build,
    buildKey: fromGit.buildKey,
    specHash: deployment.specHash,
    spec: { ...fromGit.spec, port: snapshot.port, domains: snapshot.domains, health: snapshot.health, env: snapshot.env },
    image: snapshot.image,
    sealedEnv: snapshot.sealedEnv,
    pinnedTo: { deploymentId: deployment.id, release: deployment.release ?? deployment.id },
  };
}

/** A repo's desired state at one revision: either its apps, or why it has none. */
export type DesiredRepo =
  | { kind: 'valid'; repo: string; revision: string; apps: DesiredApp[] }
  | { kind: 'invalid'; repo: string; revision: string; problems: ManifestProblem[] };

/**
 * Reads and validates the manifest at `revision` and plans each app's
 * build from the tree (own Dockerfile, or detection). What the pusher must
 * fix — a missing context or Dockerfile, an app of no known kind, a build
 * timeout above the agent's — is a located manifest problem like any
 * other, so nothing is built from it.
 */
export async function readDesiredRepo(input: { repo: string; gitdir: string; revision: string; manifestPath: string; build: Pick<BuildConfig, 'images' | 'timeoutMs'> }): Promise<DesiredRepo> {
  const { repo, gitdir, revision, manifestPath } = input;
  const text = await readFileAt(gitdir, revision, manifestPath);
  if (text === undefined) {
    const problem = { file: manifestPath, line: 1, column: 1, path: '', message: `${manifestPath} not found at revision ${revision.slice(0, 7)} — commit a ${manifestPath} at the root of the repository` };
    return { kind: 'invalid', repo, revision, problems: [problem] };
  }
  const result = parseManifest(text, manifestPath);
  if (!result.ok) return { kind: 'invalid', repo, revision, problems: result.problems };

  const apps: DesiredApp[] = [];
  const problems: ManifestProblem[] = [];
  for (const spec of result.manifest.apps) {
    if (spec.build.timeoutMs !== undefined && spec.build.timeoutMs > input.build.timeoutMs) {
      problems.push(result.problemAt(['apps', spec.name, 'build', 'timeout'],
        `is longer than the ${formatDuration(input.build.timeoutMs)} this agent allows for a build — ask for at most ${formatDuration(input.build.timeoutMs)}, or leave it out`));
      continue;
    }
    try {
      const build = await planBuild({ gitdir, revision, spec, manifestPath, images: input.build.images });
      apps.push({ repo, app: spec.name, revision, spec, build, buildKey: build.buildKey, specHash: hashOf({ buildKey: build.buildKey, spec }).slice(0, 16) });
    } catch (error) {
      if (!(error instanceof BuildPlanProblem)) throw error;
      const at = error.field === 'context' ? ['apps', spec.name, 'build', 'context'] : error.field === 'dockerfile' ? ['apps', spec.name, 'build', 'dockerfile'] : ['apps', spec.name];
      const located = result.problemAt(spec.build.dockerfile === undefined && error.field === 'dockerfile' ? ['apps', spec.name] : at, error.message, error.field === 'build' ? 'key' : undefined);
      problems.push(located);
    }
  }
  if (problems.length > 0) return { kind: 'invalid', repo, revision, problems: sortProblems(problems) };
  return { kind: 'valid', repo, revision, apps };
}

/**
 * The spec hash that decides redeploys, with what lives outside git folded
 * in: the versions of the out-of-band secrets the app references and of its
 * database password (each a hash of the sealed value, which changes on every
 * `secret set` or `db rotate`). An app with neither keeps its git hash, so
 * adding this changed nothing for apps already running.
 */
export function withStateVersions(app: DesiredApp, state: Pick<StateData, 'secrets' | 'databases'>): DesiredApp {
  const key = appKey(app.repo, app.app);
  const stored = Object.values(app.spec.secrets ?? {}).flatMap((ref) => (ref.kind === 'stored' ? [ref.name] : [])).sort();
  if (stored.length === 0 && !app.spec.database) return app;
  const secrets = Object.fromEntries(stored.map((name) => [name, hashOf(state.secrets[key]?.[name] ?? null).slice(0, 16)]));
  const database = app.spec.database ? hashOf(state.databases[key]?.sealedPassword ?? null).slice(0, 16) : null;
  return { ...app, specHash: hashOf({ git: app.specHash, secrets, database }).slice(0, 16) };
}

/** sha256 of a canonical JSON rendering (object keys sorted). */
export function hashOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
