import { posix } from 'node:path';
import { detectApp, explainDetection, filterContext, type FileTree } from '../../build/index.ts';
import type { FrameworkKind } from '../../manifest/index.ts';
import { repoPathOf } from './paths.ts';
import type { AnswerFile } from './shape.ts';

type ContextEntry = Parameters<typeof filterContext>[0][number];

const FILE_TYPE_MASK = 0o170000;
const GITLINK = 0o160000;

export interface BuildableInput {
  files: readonly AnswerFile[];
  appFolder: string;
  manifestPath: string;
  framework: FrameworkKind | null;
  repoFiles: readonly { path: string; mode: number }[];
  readRepoFile(path: string): Promise<string>;
}

/**
 * Whether the app folder as it will be committed (its current files with
 * the answer's written over them) builds: its own Dockerfile, or a kind of
 * app detection recognises. Detection sees what the build planner would
 * see: the context filtered by .dockerignore and the generated-build
 * ignores, without the manifest.
 */
export async function checkBuildable(input: BuildableInput): Promise<{ ok: true; build: string } | { ok: false; problems: string[] }> {
  const { appFolder } = input;
  const written = new Map(input.files.map((file) => [file.path, file.content]));
  const paths = new Set(input.files.map((file) => file.path));
  const prefix = appFolder === '.' ? '' : `${appFolder}/`;
  for (const file of input.repoFiles) {
    if (file.path.startsWith(prefix) && (file.mode & FILE_TYPE_MASK) !== GITLINK) paths.add(file.path.slice(prefix.length));
  }
  if (paths.has('Dockerfile')) return { ok: true, build: `Dockerfile ${repoPathOf(appFolder, 'Dockerfile')}` };

  // A repository that cannot be read is Nexus's failure, not the answer's: it is thrown, not reported.
  let readFailure: { error: unknown } | undefined;
  const read = async (path: string): Promise<string> => {
    const content = written.get(path);
    if (content !== undefined) return content;
    return input.readRepoFile(repoPathOf(appFolder, path)).catch((error: unknown) => {
      readFailure ??= { error };
      throw error;
    });
  };
  const dockerignore = paths.has('.dockerignore') ? await read('.dockerignore') : undefined;
  let entries: ContextEntry[];
  try {
    const all = [...paths].sort().map((path): ContextEntry => ({ path, mode: 0o100644, oid: '' }));
    entries = filterContext(all, { dockerignore, generated: true, exclude: manifestInside(appFolder, input.manifestPath) });
  } catch (error) {
    return { ok: false, problems: [`${repoPathOf(appFolder, '.dockerignore')} cannot be used: ${(error as Error).message}.`] };
  }

  const tree: FileTree = { paths: entries.map((entry) => entry.path), read: async (path) => Buffer.from(await read(path), 'utf8') };
  try {
    const detection = await detectApp(tree, appFolder, input.framework === null ? {} : { framework: input.framework });
    return { ok: true, build: explainDetection(detection) };
  } catch (error) {
    if (readFailure) throw readFailure.error;
    return { ok: false, problems: [`The app in ${appFolder === '.' ? 'the repository root' : appFolder} cannot be built: ${(error as Error).message}.`] };
  }
}

/** The manifest's path relative to the app folder, when the folder holds it (as the build planner leaves it out). */
function manifestInside(appFolder: string, manifestPath: string): string[] {
  if (appFolder === '.') return [manifestPath];
  return manifestPath.startsWith(`${appFolder}/`) ? [posix.relative(appFolder, manifestPath)] : [];
}
