import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import fsDetectorsPackage from '@vercel/fs-detectors/package.json' with { type: 'json' };
import type { BaseImages } from '../config/index.ts';
import type { AppSpec } from '../manifest/index.ts';
import { listTreeAt, readBlob, TreeTooLargeError, type TreeEntry } from '../source/index.ts';
import { filterContext, type ContextRules } from './context-filter.ts';
import { DockerignoreTooLargeError } from './dockerignore.ts';
import { detectApp, explainDetection, type Detection } from './detect/detect.ts';
import { renderGeneratedBuild } from './detect/dockerfile.ts';
import { GENERATOR_VERSION } from './detect/kinds.ts';

/** How one app's image is built, decided from the commit alone. */
export interface BuildPlan {
  /** Content key: the filtered context, the Dockerfile (given or generated) and the generator's version. */
  buildKey: string;
  /** Repository folder the context comes from. */
  context: string;
  /** Dockerfile path inside the context sent to Docker. */
  dockerfile: string;
  /** Context-relative paths left out of the context besides .dockerignore (the manifest). */
  exclude: string[];
  /** Files added to the context (a generated Dockerfile and its companions). */
  generated?: Record<string, string>;
  /** What was detected, for apps without a Dockerfile. */
  detection?: Detection;
  /** One line for people: "Dockerfile apps/web/Dockerfile" or the detection's explanation. */
  explanation: string;
}

/** Why a build cannot be planned, in words that name the file and the fix. */
export class BuildPlanProblem extends Error {
  constructor(readonly field: 'context' | 'dockerfile' | 'build', message: string) {
    super(message);
  }
}

/**
 * Plans an app's build from the git tree at `revision`: its own Dockerfile
 * if it has one (or names one), otherwise detection and a generated
 * Dockerfile. Throws BuildPlanProblem for what the pusher must fix.
 */
export async function planBuild(input: { gitdir: string; revision: string; spec: AppSpec; manifestPath: string; images: BaseImages }): Promise<BuildPlan> {
  const { gitdir, revision, spec } = input;
  const context = spec.build.context;
  const entries = await listTreeAt(gitdir, revision, context, TREE_LIMITS).catch((error: unknown) => {
    if (error instanceof TreeTooLargeError) throw new BuildPlanProblem('context', `build context "${context}" of app ${spec.name}: ${error.message}`);
    throw error;
  });
  if (!entries) throw new BuildPlanProblem('context', `build context "${context}" of app ${spec.name} is not a folder at revision ${revision.slice(0, 7)} — commit it or fix build.context`);
  const byPath = new Map(entries.map((entry) => [entry.path, entry]));
  const read = async (path: string) => Buffer.from(await readSmallBlob(gitdir, path, byPath.get(path)!.oid)).toString('utf8');
  const exclude = manifestInside(context, input.manifestPath);
  const dockerignore = byPath.has('.dockerignore') ? await read('.dockerignore') : undefined;

  const ownDockerfile = spec.build.dockerfile ?? (byPath.has('Dockerfile') ? 'Dockerfile' : undefined);
  if (ownDockerfile !== undefined) {
    if (!byPath.has(ownDockerfile)) {
      throw new BuildPlanProblem('dockerfile', `${posix.join(context, ownDockerfile)} not found at revision ${revision.slice(0, 7)} — commit a Dockerfile for app ${spec.name} or fix build.dockerfile`);
    }
    const files = filterOrRefuse(entries, { dockerignore, generated: false, exclude, dockerfile: ownDockerfile }, context);
    return { buildKey: keyOf({ files, dockerfile: ownDockerfile }), context, dockerfile: ownDockerfile, exclude, explanation: `Dockerfile ${posix.join(context, ownDockerfile)}` };
  }

  const files = filterOrRefuse(entries, { dockerignore, generated: true, exclude }, context);
  const tree = { paths: files.map((entry) => entry.path), read: (path: string) => readSmallBlob(gitdir, path, byPath.get(path)!.oid) };
  let detection: Detection;
  try {
    detection = await detectApp(tree, context, spec.build);
  } catch (error) {
    throw new BuildPlanProblem('build', (error as Error).message);
  }
  const generated = renderGeneratedBuild(detection, { images: input.images, port: spec.port });
  return {
    buildKey: keyOf({ files, dockerfile: generated.dockerfilePath, generated: generated.files, generator: GENERATOR_VERSION, detector: fsDetectorsPackage.version }),
    context, dockerfile: generated.dockerfilePath, exclude, generated: generated.files, detection, explanation: explainDetection(detection),
  };
}

/**
 * What one build context may hold: planning runs for every pushed commit,
 * so a tree of millions of files or absurdly long paths must be refused
 * rather than walked.
 */
export const TREE_LIMITS = { entries: 100_000, pathLength: 1_024 } as const;

/** Files detection reads (package.json, configs, .dockerignore) are read whole: they must be small. */
const MAX_READ_BYTES = 1_000_000;

async function readSmallBlob(gitdir: string, path: string, oid: string): Promise<Uint8Array> {
  const blob = await readBlob(gitdir, oid);
  if (blob.length > MAX_READ_BYTES) throw new BuildPlanProblem('build', `${path} is ${blob.length} bytes; the agent reads files of at most ${MAX_READ_BYTES} bytes to plan a build — make it smaller, or add a Dockerfile`);
  return blob;
}

function filterOrRefuse(entries: TreeEntry[], rules: ContextRules, context: string): TreeEntry[] {
  try {
    return filterContext(entries, rules);
  } catch (error) {
    if (error instanceof DockerignoreTooLargeError) throw new BuildPlanProblem('build', `${posix.join(context, error.message)}`);
    throw error;
  }
}

/** The manifest's path relative to the context, when the context contains it. */
function manifestInside(context: string, manifestPath: string): string[] {
  const relative = context === '.' ? manifestPath : manifestPath.startsWith(`${context}/`) ? manifestPath.slice(context.length + 1) : undefined;
  return relative === undefined ? [] : [relative];
}

function keyOf(input: { files: TreeEntry[]; dockerfile: string; generated?: Record<string, string>; generator?: number; detector?: string }): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ dockerfile: input.dockerfile, generated: input.generated ?? null, generator: input.generator ?? null, detector: input.detector ?? null }));
  // One JSON array per entry: a path holding a newline cannot pass for two entries.
  for (const entry of input.files) hash.update(`\n${JSON.stringify([entry.mode, entry.oid, entry.path])}`);
  return hash.digest('hex').slice(0, 24);
}
