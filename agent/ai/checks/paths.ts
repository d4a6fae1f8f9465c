import { posix } from 'node:path';
import type { AnswerFile } from './shape.ts';
import { count, showName } from './sizes.ts';

/** What a path of the answer is checked against: the repository at the branch head. */
export interface PathScope {
  /** Repo-relative folder of the app ("." for the whole repository). */
  appFolder: string;
  manifestPath: string;
  repoFiles: readonly { path: string; mode: number }[];
  /** The other apps of the current manifest and their build contexts. */
  otherApps: readonly { name: string; context: string }[];
}

const MAX_PATH_CHARS = 1_024;
/** Bytes, not characters: NAME_MAX of Linux file systems is 255 bytes. */
const MAX_SEGMENT_BYTES = 255;

const FILE_TYPE_MASK = 0o170000;
const SYMLINK = 0o120000;
const GITLINK = 0o160000;

/** The repository path an answer path is written to. */
export function repoPathOf(appFolder: string, path: string): string {
  return appFolder === '.' ? path : `${appFolder}/${path}`;
}

/**
 * Checks where each file of the answer would be written: a plain relative
 * path, inside the app's folder, not in another app's build context, not
 * through a symlink or submodule of the repository, not the manifest, and
 * written once. One problem per file (the first thing wrong with it).
 */
export function checkPaths(files: readonly AnswerFile[], scope: PathScope): string[] {
  const problems: string[] = [];
  const modes = new Map(scope.repoFiles.map((file) => [file.path, file.mode]));
  const repoFolders = foldersOf(scope.repoFiles.map((file) => file.path));
  const seen = new Map<string, number>();
  const seenFolded = new Map<string, number>();
  const answerPaths = new Map(files.map((file, index) => [file.path, index]));

  files.forEach((file, index) => {
    const name = `answer.files[${index}].path ${showName(file.path)}`;
    const wrong = syntaxProblem(file.path) ?? placementProblem(file.path, scope, modes, repoFolders);
    if (wrong !== undefined) {
      problems.push(`${name} ${wrong}.`);
      return;
    }
    const first = seen.get(file.path);
    const folded = seenFolded.get(file.path.toLowerCase());
    if (first !== undefined) problems.push(`${name} is listed twice (also answer.files[${first}]); give each file once.`);
    else if (folded !== undefined) problems.push(`${name} differs only in letter case from answer.files[${folded}]; the two would be one file on macOS and Windows.`);
    seen.set(file.path, first ?? index);
    seenFolded.set(file.path.toLowerCase(), folded ?? index);
    const parent = properPrefixes(file.path).find((prefix) => answerPaths.has(prefix));
    if (parent !== undefined) {
      problems.push(`${name} needs ${showName(parent)} to be a folder, but answer.files[${answerPaths.get(parent)}] writes it as a file.`);
    }
  });
  return problems;
}

/** What is wrong with the text of a path, judged alone. */
function syntaxProblem(path: string): string | undefined {
  if (path === '') return 'is empty; give the file\'s path relative to the app folder, e.g. "server.js"';
  if (path.length > MAX_PATH_CHARS) return `is ${count(path.length)} characters long; a path may have at most ${count(MAX_PATH_CHARS)}`;
  if (/[\u0000-\u001f\u007f-\u009f]/.test(path)) return 'contains a control character (NUL, a newline, a tab or an escape); use plain file names';
  // Invisible and direction-changing characters hide what a name says
  // (and macOS ignores some, so ".g\u200cit" is ".git" there).
  if (/[\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]/.test(path)) return 'contains an invisible or text-direction character; use plain file names';
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(path)) return 'is not valid Unicode text';
  if (path.startsWith('/') || path.startsWith('\\')) return 'is absolute; give it relative to the app folder, e.g. "src/db.js"';
  if (/^[A-Za-z]:/.test(path)) return 'starts with a drive letter; give it relative to the app folder, e.g. "src/db.js"';
  if (path.includes('\\')) return 'contains a backslash; separate folders with "/"';
  for (const segment of path.split('/')) {
    if (segment === '') return 'has an empty segment ("//", or a "/" at the end); name each folder once';
    if (segment === '.' || segment === '..') return `has a "${segment}" segment; a path names each folder on the way down and stays inside the app folder`;
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) return `has a segment of ${Buffer.byteLength(segment, 'utf8')} bytes; a file or folder name may have at most ${MAX_SEGMENT_BYTES}`;
    if (isGitName(segment)) return 'has a ".git" segment (in some spelling); git\'s own files are never written';
    if (segment.toLowerCase() === '.gitmodules') return 'is a .gitmodules file; an app has no submodules';
  }
  return undefined;
}

/**
 * ".git" as file systems may read it: any case (macOS, Windows), trailing
 * dots and spaces dropped (Windows), or its 8.3 short name "git~1".
 */
function isGitName(segment: string): boolean {
  const name = segment.toLowerCase().replace(/[. ]+$/, '');
  return name === '.git' || name === 'git~1';
}

/** What is wrong with where a well-formed path lands in the repository. */
function placementProblem(path: string, scope: PathScope, modes: ReadonlyMap<string, number>, repoFolders: ReadonlySet<string>): string | undefined {
  const { appFolder, manifestPath } = scope;
  const repoPath = repoPathOf(appFolder, path);
  // Already implied by the syntax rules; checked again because it is the rule that matters.
  if (posix.normalize(repoPath) !== repoPath || (appFolder !== '.' && !repoPath.startsWith(`${appFolder}/`))) {
    return `leaves the app folder ${appFolder}`;
  }
  const base = posix.basename(repoPath).toLowerCase();
  if (repoPath === manifestPath) return `is the repository's manifest ${manifestPath}; Nexus writes the app's entry in it from answer.app`;
  if (base === 'nexus.yaml' || base === 'nexus.yml') return `is named like a manifest; Nexus writes the app's entry in ${manifestPath} itself, from answer.app`;
  if (repoPath.split('/')[0]?.toLowerCase() === '.github') return 'is GitHub configuration at the repository root (workflows, actions), which is not part of an app';
  for (const other of scope.otherApps) {
    if (other.context === '.' || repoPath === other.context || repoPath.startsWith(`${other.context}/`)) {
      const where = other.context === '.' ? 'the whole repository' : other.context;
      return `lies inside the build context of app "${other.name}" (${where}); an answer only writes its own app's folder ${appFolder}`;
    }
  }
  for (const prefix of [...properPrefixes(repoPath), repoPath]) {
    const mode = modes.get(prefix);
    if (mode === undefined) continue;
    const type = mode & FILE_TYPE_MASK;
    if (type === SYMLINK) return `would write ${prefix === repoPath ? 'over' : 'through'} the symbolic link ${prefix} of the repository; links are never written through or replaced`;
    if (type === GITLINK) return `would write into the submodule ${prefix} of the repository`;
    if (prefix !== repoPath) return `needs ${prefix} to be a folder, but it is a file in the repository`;
  }
  if (repoFolders.has(repoPath)) return `is a folder in the repository (${repoPath}), not a file`;
  return undefined;
}

/** "a/b/c" → ["a", "a/b"]. */
function properPrefixes(path: string): string[] {
  const segments = path.split('/');
  return segments.slice(1).map((_, index) => segments.slice(0, index + 1).join('/'));
}

function foldersOf(paths: readonly string[]): Set<string> {
  const folders = new Set<string>();
  for (const path of paths) for (const prefix of properPrefixes(path)) folders.add(prefix);
  return folders;
}
