/**
 * A folder on the user's machine seen the way the agent sees a committed
 * build context, for `nexus detect`: the same context filter, the same
 * FileTree, and the app of nexus.yaml whose build.context is that folder.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { filterContext, type FileTree } from '../build/index.ts';
import { parseManifest, type AppSpec } from '../manifest/index.ts';
import type { TreeEntry } from '../source/index.ts';

/** What the walk keeps out: .dockerignore (Docker's rules), the generated-build ignores, and the manifest. */
export interface LocalContextRules {
  dockerignore?: string;
  /** Context-relative paths left out (the manifest when it lies inside the folder). */
  exclude: string[];
}

/**
 * The files of `root` a generated build would get, as TreeEntry-like rows
 * (no blob ids: nothing is hashed here). Folders the filter drops whole
 * (node_modules, .git) are not entered — unless the .dockerignore has a
 * `!` exception, which could bring a file inside one back.
 */
export async function listLocalContext(root: string, rules: LocalContextRules): Promise<TreeEntry[]> {
  const filterRules = { dockerignore: rules.dockerignore, generated: true, exclude: rules.exclude };
  const prunable = !/^\s*!/m.test(rules.dockerignore ?? '');
  const entries: TreeEntry[] = [];
  async function walk(folder: string): Promise<void> {
    const dirents = await fs.readdir(path.join(root, folder), { withFileTypes: true });
    for (const dirent of dirents) {
      const child = folder ? `${folder}/${dirent.name}` : dirent.name;
      if (dirent.isDirectory()) {
        if (dirent.name === '.git') continue;
        if (prunable && filterContext([{ path: child, mode: 0o40000, oid: '' }], filterRules).length === 0) continue;
        await walk(child);
      } else if (dirent.isFile() || dirent.isSymbolicLink()) {
        // Git does not follow symlinks either: a link is an entry of its own.
        entries.push({ path: child, mode: dirent.isSymbolicLink() ? 0o120000 : 0o100644, oid: '' });
      }
    }
  }
  await walk('');
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return filterContext(entries, filterRules);
}

/** A FileTree over files of a local folder (paths relative, "/"-separated). */
export function localFileTree(root: string, entries: readonly TreeEntry[]): FileTree {
  return { paths: entries.map((entry) => entry.path), read: (file) => fs.readFile(path.join(root, ...file.split('/'))) };
}

/** The manifest's word on a folder: the app built from it, or why there is none to use. */
export interface ManifestLookup {
  /** The nexus.yaml read, if one was found. */
  file?: string;
  /** The folder build.context paths are relative to: the git root, else the folder itself. */
  root: string;
  app?: AppSpec;
  /** Something the user should know (an invalid manifest, two apps on one folder). */
  note?: string;
}

/**
 * Finds nexus.yaml in `folder` or at the root of the git repository that
 * holds it, and the app whose build.context resolves to `folder`. The
 * agent's repos may name another manifest path; this looks only at
 * nexus.yaml, the default.
 */
export async function findManifestApp(folder: string): Promise<ManifestLookup> {
  const gitRoot = await findGitRoot(folder);
  const root = gitRoot ?? folder;
  const candidates = [...new Set([path.join(folder, 'nexus.yaml'), path.join(root, 'nexus.yaml')])];
  for (const file of candidates) {
    const text = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const result = parseManifest(text, file);
    if (!result.ok) return { file, root, note: `${file} has problems (see \`nexus validate ${file}\`); detecting without its build settings` };
    const apps = result.manifest.apps.filter((app) => path.resolve(root, app.build.context) === folder);
    const note = apps.length > 1 ? `apps ${apps.map((app) => app.name).join(', ')} of ${file} share this folder; using the settings of ${apps[0]!.name}` : undefined;
    return { file, root, app: apps[0], note };
  }
  return { root };
}

/** The nearest folder at or above `folder` that holds a .git entry. */
async function findGitRoot(folder: string): Promise<string | undefined> {
  for (let current = folder; ; current = path.dirname(current)) {
    if (await fs.stat(path.join(current, '.git')).then(() => true, () => false)) return current;
    if (path.dirname(current) === current) return undefined;
  }
}
