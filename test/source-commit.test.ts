/**
 * Commits made by the agent itself (the AI generator's path into git), on
 * a real git smart-HTTP server: written from objects only, pushed as a
 * fast-forward, and refused — never forced — when a human pushed first.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cacheGitDir, fetchBranchHead, pushCommit, writeCommit, PushFailedError } from '../agent/source/index.ts';
import { startGitServer } from './support/git-server.ts';
import { pushFolder, runGit } from './support/git-push.ts';

const AUTHOR = { name: 'Nexus AI', email: 'ai@nexus.invalid' };

test('a commit on the head keeps every other file, is pushed, and a moved branch is refused, not forced', async () => {
  const git = await startGitServer();
  const cache = await mkdtemp(path.join(tmpdir(), 'nexus-commit-'));
  try {
    const remote = await git.createRepo('shop');
    const human = await pushFolder({ remote, files: { 'README.md': 'hi\n', 'apps/web/server.js': 'web\n', 'nexus.yaml': 'version: 1\n' }, message: 'human' });
    const ref = { name: 'shop', url: remote, branch: 'main' };
    const head = await fetchBranchHead(ref, cache);
    assert.is(head, human);
    const gitdir = cacheGitDir(cache, 'shop');
    const commit = await writeCommit(gitdir, head, { 'apps/todo/server.js': 'todo\n', 'nexus.yaml': 'version: 1\napps: {}\n' }, { author: AUTHOR, message: 'generated\n\nNexus-Generation: g1\n' });
    await pushCommit(gitdir, ref, commit);

    const clone = await mkdtemp(path.join(tmpdir(), 'nexus-clone-'));
    await runGit(['clone', '-q', remote, clone]);
    assert.is(await readFile(path.join(clone, 'apps/todo/server.js'), 'utf8'), 'todo\n');
    assert.is(await readFile(path.join(clone, 'apps/web/server.js'), 'utf8'), 'web\n');
    assert.is(await readFile(path.join(clone, 'nexus.yaml'), 'utf8'), 'version: 1\napps: {}\n');
    assert.match(await runGit(['log', '-1', '--format=%an <%ae>%n%B'], { cwd: clone }), /^Nexus AI <ai@nexus\.invalid>\ngenerated\n\nNexus-Generation: g1/);
    assert.is((await runGit(['rev-parse', 'HEAD~1'], { cwd: clone })).trim(), human);
    await rm(clone, { recursive: true, force: true });

    // A human pushes between our fetch and our push: ours is refused as not a fast-forward.
    const stale = await writeCommit(gitdir, commit, { 'apps/todo/server.js': 'todo v2\n' }, { author: AUTHOR, message: 'second' });
    const humanAgain = await pushFolder({ remote, files: { 'README.md': 'hi again\n', 'apps/web/server.js': 'web\n', 'apps/todo/server.js': 'todo\n', 'nexus.yaml': 'version: 1\napps: {}\n' }, message: 'human again', workdir: await mkdtemp(path.join(tmpdir(), 'nexus-human-')) });
    const error = await pushCommit(gitdir, ref, stale).then(() => undefined, (caught: unknown) => caught);
    assert.ok(error instanceof PushFailedError, String(error));
    assert.is(error.data.rejected, true, error.message);
    assert.is(await fetchBranchHead(ref, cache), humanAgain, 'the human commit was overwritten');
  } finally {
    await git.close();
    await rm(cache, { recursive: true, force: true });
  }
});

test.run();
