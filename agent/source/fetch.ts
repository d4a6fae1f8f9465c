import fs from 'node:fs';
import path from 'node:path';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { NexusError, describeError } from '../errors/index.ts';

/** Where and how to fetch one watched repository. */
export interface RemoteRef {
  /** Short name, used for the cache folder. */
  name: string;
  url: string;
  branch: string;
  /** An HTTP token; sent as basic-auth password, never logged. */
  token?: string;
}

export class FetchFailedError extends NexusError<'FETCH_FAILED', { repo: string; url: string }> {
  constructor(repo: RemoteRef, cause: unknown) {
    super(
      'FETCH_FAILED',
      `could not fetch ${repo.url} (branch ${repo.branch}): ${describeError(cause)} — check the URL, the branch name and the token`,
      { repo: repo.name, url: repo.url },
      { cause },
    );
  }
}

/**
 * Fetches the branch head of `remote` into a bare cache repository under
 * `cacheDir` and returns the commit id. Only the watched branch is fetched;
 * the cache never has a work tree, so a build can only ever read committed
 * content.
 */
export async function fetchBranchHead(remote: RemoteRef, cacheDir: string): Promise<string> {
  const gitdir = cacheGitDir(cacheDir, remote.name);
  return withGitdirLock(gitdir, () => fetchLocked(remote, gitdir));
}

async function fetchLocked(remote: RemoteRef, gitdir: string): Promise<string> {
  try {
    if (!fs.existsSync(path.join(gitdir, 'HEAD'))) {
      await fs.promises.mkdir(gitdir, { recursive: true });
      await git.init({ fs, gitdir, bare: true, defaultBranch: remote.branch });
    }
    // Re-pointed when it changed, so a URL changed in the agent config takes effect.
    const current = await git.getConfig({ fs, gitdir, path: 'remote.origin.url' }).catch(() => undefined);
    if (current !== remote.url) await git.addRemote({ fs, gitdir, remote: 'origin', url: remote.url, force: true });
    const result = await git.fetch({
      fs,
      http,
      gitdir,
      remote: 'origin',
      ref: remote.branch,
      singleBranch: true,
      tags: false,
      onAuth: remote.token ? () => ({ username: 'x-access-token', password: remote.token }) : undefined,
    });
    if (!result.fetchHead) throw new Error(`branch ${remote.branch} not found on the remote`);
    return result.fetchHead;
  } catch (error) {
    throw new FetchFailedError(remote, error);
  }
}

/** The bare cache repository of a watched repo. */
export function cacheGitDir(cacheDir: string, repoName: string): string {
  return path.join(cacheDir, `${repoName}.git`);
}

/**
 * One git operation at a time per cache repository. The poll's fetch and
 * the AI generator's fetch and push share a repository on disk; run at
 * once, one rewrote the config the other was reading ("Could not find a
 * fetch refspec"). The lock is per path, and the path is the process's
 * shared resource, so it lives with the module.
 */
const gitdirLocks = new Map<string, Promise<unknown>>();

export function withGitdirLock<T>(gitdir: string, operation: () => Promise<T>): Promise<T> {
  const previous = gitdirLocks.get(gitdir) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(operation);
  const tail = run.catch(() => undefined);
  gitdirLocks.set(gitdir, tail);
  void tail.then(() => {
    if (gitdirLocks.get(gitdir) === tail) gitdirLocks.delete(gitdir);
  });
  return run;
}
