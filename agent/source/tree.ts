import fs from 'node:fs';
import git from 'isomorphic-git';

/** One file of a git tree, as a build context needs it. */
export interface TreeFile {
  /** Path relative to the folder that was listed, with "/" separators. */
  path: string;
  /** Git file mode: 0o100644, 0o100755 or 0o120000 (symlink; content is the target). */
  mode: number;
  content: Uint8Array;
}

/** Reads one file at a revision, or undefined when it does not exist there. */
export async function readFileAt(gitdir: string, revision: string, filepath: string): Promise<string | undefined> {
  try {
    const { blob } = await git.readBlob({ fs, gitdir, oid: revision, filepath });
    return Buffer.from(blob).toString('utf8');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * The tree id of a folder at a revision ("." for the root), or undefined
 * when the folder is missing. Equal tree ids mean equal content, so it is
 * the cache key of a build context.
 */
export async function treeIdAt(gitdir: string, revision: string, folder: string): Promise<string | undefined> {
  try {
    const filepath = normaliseFolder(folder);
    const { oid } = await git.readTree({ fs, gitdir, oid: revision, filepath: filepath || undefined });
    return oid;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** One entry of a flattened git tree: enough to key a build and to read the blob later. */
export interface TreeEntry {
  /** Path relative to the listed folder, "/" separators. */
  path: string;
  /** Git file mode: 0o100644, 0o100755 or 0o120000 (symlink). */
  mode: number;
  /** Blob id: equal ids, equal content. */
  oid: string;
}

/** Bounds on a tree listing (it runs for every pushed commit). */
export interface TreeLimits {
  entries: number;
  pathLength: number;
  /** List submodules too (mode 0o160000, oid = the commit they point at); a build context never has them. */
  submodules?: boolean;
}

/** A tree past its limits: what to do is in the message. */
export class TreeTooLargeError extends Error {}

/**
 * Every file below a folder at a revision, without reading any file
 * content (tree objects only), depth first in git's order. Undefined when
 * the folder does not exist. Submodules are skipped, as in a build context.
 */
export async function listTreeAt(gitdir: string, revision: string, folder: string, limits?: TreeLimits): Promise<TreeEntry[] | undefined> {
  const treeId = await treeIdAt(gitdir, revision, folder);
  if (!treeId) return undefined;
  const entries: TreeEntry[] = [];
  async function walk(oid: string, prefix: string): Promise<void> {
    const { tree } = await git.readTree({ fs, gitdir, oid });
    for (const entry of tree) {
      const path = prefix + entry.path;
      if (limits && path.length > limits.pathLength) throw new TreeTooLargeError(`a path is longer than ${limits.pathLength} characters (${path.slice(0, 80)}…) — shorten it`);
      if (entry.type === 'tree') await walk(entry.oid, `${path}/`);
      else if (entry.type === 'blob' || (entry.type === 'commit' && limits?.submodules)) {
        entries.push({ path, mode: parseInt(entry.mode, 8), oid: entry.oid });
        if (limits && entries.length > limits.entries) throw new TreeTooLargeError(`more than ${limits.entries} files — build from a smaller folder (build.context)`);
      }
    }
  }
  await walk(treeId, '');
  return entries;
}

/** The content of one blob by id. */
export async function readBlob(gitdir: string, oid: string): Promise<Uint8Array> {
  const { blob } = await git.readBlob({ fs, gitdir, oid });
  return blob;
}

function normaliseFolder(folder: string): string {
  return folder.replace(/^\.\/?/, '').replace(/\/+$/, '');
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === 'NotFoundError' || code === 'ObjectTypeError';
}
