import { posix } from 'node:path';
import { DetectorFilesystem } from '@vercel/fs-detectors';

type DetectorFilesystemStat = Awaited<ReturnType<DetectorFilesystem['readdir']>>[number];

/** A folder of committed files: paths (relative, "/"-separated) and a way to read one. */
export interface FileTree {
  paths: readonly string[];
  read(path: string): Promise<Uint8Array>;
}

/**
 * The framework detector's view of a git tree held in memory: no work tree,
 * no network, no child process. `cwd` is the folder the detector has
 * chdir'd into, relative to the tree's root.
 */
export class TreeDetectorFs extends DetectorFilesystem {
  readonly #tree: FileTree;
  readonly #files: ReadonlySet<string>;
  readonly #cwd: string;

  constructor(tree: FileTree, cwd = '') {
    super();
    this.#tree = tree;
    this.#files = new Set(tree.paths);
    this.#cwd = cwd;
  }

  #resolve(name: string): string {
    const joined = posix.normalize(posix.join(this.#cwd, name));
    return joined === '.' ? '' : joined.replace(/^\.\//, '').replace(/\/+$/, '');
  }

  #isDir(path: string): boolean {
    if (path === '') return true;
    const prefix = `${path}/`;
    for (const file of this.#files) if (file.startsWith(prefix)) return true;
    return false;
  }

  protected async _hasPath(name: string): Promise<boolean> {
    const path = this.#resolve(name);
    return this.#files.has(path) || this.#isDir(path);
  }

  protected async _isFile(name: string): Promise<boolean> {
    return this.#files.has(this.#resolve(name));
  }

  protected async _readFile(name: string): Promise<Buffer> {
    const path = this.#resolve(name);
    if (!this.#files.has(path)) throw Object.assign(new Error(`ENOENT: ${name}`), { code: 'ENOENT' });
    return Buffer.from(await this.#tree.read(path));
  }

  protected async _readdir(name: string): Promise<DetectorFilesystemStat[]> {
    const dir = this.#resolve(name);
    const prefix = dir === '' ? '' : `${dir}/`;
    const seen = new Map<string, DetectorFilesystemStat>();
    for (const file of this.#files) {
      if (!file.startsWith(prefix)) continue;
      const rest = file.slice(prefix.length);
      const [first, ...more] = rest.split('/');
      if (!first || seen.has(first)) continue;
      seen.set(first, { name: first, path: posix.join(dir, first), type: more.length > 0 ? 'dir' : 'file' });
    }
    return [...seen.values()];
  }

  protected _chdir(name: string): DetectorFilesystem {
    return new TreeDetectorFs(this.#tree, this.#resolve(name));
  }
}
