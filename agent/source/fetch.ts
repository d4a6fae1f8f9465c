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
  try {
    if (!fs.existsSync(path.join(gitdir, 'HEAD'))) {
      await fs.promises.mkdir(gitdir, { recursive: true });
      await git.init({ fs, gitdir, bare: true, defaultBranch: remote.branch });
    }
    // Re-pointed every time, so a URL changed in the agent config takes effect.
    await git.addRemote({ fs, gitdir, remote: 'origin', url: remote.url, force: true });
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
