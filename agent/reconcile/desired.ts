import { createHash } from 'node:crypto';
import path from 'node:path';
import { parseManifest, type AppSpec, type ManifestProblem } from '../manifest/index.ts';
import { readFileAt, treeIdAt } from '../source/index.ts';
import { appKey, type Deployment, type StateData } from '../../state/index.ts';

/** One app as git says it should run. */
export interface DesiredApp {
  repo: string;
  app: string;
  revision: string;
  spec: AppSpec;
  /** Git tree id of the build context: equal ids, equal content. */
  contextTree: string;
  /** Identifies the image: the same context and Dockerfile give the same image. */
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
    contextTree: fromGit.contextTree,
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
 * Reads and validates the manifest at `revision` and resolves each app's
 * build context to a tree id. A missing context folder is a manifest
 * problem like any other, so nothing is built from it.
 */
export async function readDesiredRepo(input: { repo: string; gitdir: string; revision: string; manifestPath: string }): Promise<DesiredRepo> {
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
    const contextTree = await treeIdAt(gitdir, revision, spec.build.context);
    if (!contextTree) {
      problems.push({ file: manifestPath, line: 1, column: 1, path: `apps.${spec.name}.build.context`, message: `build context "${spec.build.context}" of app ${spec.name} is not a folder at revision ${revision.slice(0, 7)} — commit it or fix build.context` });
      continue;
    }
    const dockerfilePath = path.posix.join(spec.build.context, spec.build.dockerfile);
    if ((await readFileAt(gitdir, revision, dockerfilePath)) === undefined) {
      problems.push({ file: manifestPath, line: 1, column: 1, path: `apps.${spec.name}.build.dockerfile`, message: `${dockerfilePath} not found at revision ${revision.slice(0, 7)} — commit a Dockerfile for app ${spec.name} or fix build.dockerfile` });
      continue;
    }
    const buildKey = hashOf({ contextTree, dockerfile: spec.build.dockerfile }).slice(0, 12);
    apps.push({ repo, app: spec.name, revision, spec, contextTree, buildKey, specHash: hashOf({ buildKey, spec }).slice(0, 16) });
  }
  if (problems.length > 0) return { kind: 'invalid', repo, revision, problems };
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
