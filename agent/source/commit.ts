import fs from 'node:fs';
import git, { type TreeEntry as GitTreeEntry } from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { NexusError, describeError } from '../errors/index.ts';
import { withGitdirLock, type RemoteRef } from './fetch.ts';

/** Who a commit is by, and what it says. */
export interface CommitMeta {
  author: { name: string; email: string };
  message: string;
  /** Seconds since the epoch; default now. */
  timestamp?: number;
}

export class PushFailedError extends NexusError<'PUSH_FAILED', { repo: string; rejected: boolean }> {
  constructor(remote: RemoteRef, cause: unknown, rejected: boolean) {
    super('PUSH_FAILED', rejected
      ? `${remote.url} (branch ${remote.branch}) moved while the commit was made — it is made again on the new head`
      : `could not push to ${remote.url} (branch ${remote.branch}): ${describeError(cause)} — check that the repo's token may push`,
    { repo: remote.name, rejected }, { cause });
  }
}

/**
 * Writes one commit on top of `parent` that sets the given files (repo
 * paths → UTF-8 content) and keeps everything else of the parent's tree
 * as it was (submodules and symlinks included). Objects only: no work
 * tree, no ref is moved. Returns the new commit id.
 */
export async function writeCommit(gitdir: string, parent: string, files: Record<string, string>, meta: CommitMeta): Promise<string> {
  const { commit } = await git.readCommit({ fs, gitdir, oid: parent });
  const changes = new Map(Object.entries(files).map(([path, content]) => [path.split('/'), content] as const).map(([segments, content]) => [segments.join('/'), { segments, content }]));
  const tree = await updateTree(gitdir, commit.tree, [...changes.values()]);
  const timestamp = meta.timestamp ?? Math.floor(Date.now() / 1000);
  const person = { ...meta.author, timestamp, timezoneOffset: 0 };
  return git.writeCommit({ fs, gitdir, commit: { message: meta.message, tree, parent: [parent], author: person, committer: person } });
}

async function updateTree(gitdir: string, treeOid: string | undefined, changes: { segments: string[]; content: string }[]): Promise<string> {
  const entries = new Map<string, GitTreeEntry>();
  if (treeOid) for (const entry of (await git.readTree({ fs, gitdir, oid: treeOid })).tree) entries.set(entry.path, entry);
  const below = new Map<string, { segments: string[]; content: string }[]>();
  for (const change of changes) {
    const [first, ...rest] = change.segments;
    if (rest.length === 0) {
      const existing = entries.get(first!);
      // A file never replaces a folder, a submodule or a symlink: the caller's checks must have refused that.
      if (existing && (existing.type !== 'blob' || existing.mode === '120000')) throw new Error(`refusing to replace the ${existing.type === 'blob' ? 'symlink' : existing.type} ${first} with a file`);
      const oid = await git.writeBlob({ fs, gitdir, blob: Buffer.from(change.content, 'utf8') });
      const mode = existing?.mode === '100755' ? '100755' : '100644';
      entries.set(first!, { mode, path: first!, oid, type: 'blob' });
    } else {
      below.set(first!, [...(below.get(first!) ?? []), { segments: rest, content: change.content }]);
    }
  }
  for (const [folder, nested] of below) {
    const existing = entries.get(folder);
    if (existing && existing.type !== 'tree') throw new Error(`refusing to replace the ${existing.type === 'commit' ? 'submodule' : 'file'} ${folder} with a folder`);
    const oid = await updateTree(gitdir, existing?.oid, nested);
    entries.set(folder, { mode: '040000', path: folder, oid, type: 'tree' });
  }
  return git.writeTree({ fs, gitdir, tree: [...entries.values()] });
}

/**
 * Pushes `commit` to the remote branch as a fast-forward only (never a
 * force-push). A rejection because the branch moved is a PushFailedError
 * with `rejected: true`, so the caller can fetch and make the commit again.
 */
export function pushCommit(gitdir: string, remote: RemoteRef, commit: string): Promise<void> {
  return withGitdirLock(gitdir, () => pushLocked(gitdir, remote, commit));
}

async function pushLocked(gitdir: string, remote: RemoteRef, commit: string): Promise<void> {
  const localRef = `refs/heads/nexus-push/${remote.branch}`;
  await git.writeRef({ fs, gitdir, ref: localRef, value: commit, force: true });
  try {
    const result = await git.push({
      fs, http, gitdir, remote: 'origin', url: remote.url, ref: localRef, remoteRef: `refs/heads/${remote.branch}`, force: false,
      onAuth: remote.token ? () => ({ username: 'x-access-token', password: remote.token }) : undefined,
    });
    const refResult = result.refs?.[`refs/heads/${remote.branch}`];
    if (!result.ok || (refResult && !refResult.ok)) throw new Error(refResult?.error ?? result.error ?? 'push refused');
  } catch (error) {
    const text = describeError(error);
    const rejected = (error as { code?: string }).code === 'PushRejectedError' || /not a simple fast-forward|non-fast-forward|fetch first/i.test(text);
    throw new PushFailedError(remote, error, rejected);
  } finally {
    await git.deleteRef({ fs, gitdir, ref: localRef }).catch(() => undefined);
  }
}
