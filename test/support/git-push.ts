/**
 * Pushes test content with the real git CLI, the way a user of Nexus would,
 * so the agent under test fetches commits made by git itself.
 */
import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface PushFolderOptions {
  /** Clone URL, with credentials in it if the server needs them (see `withToken`). */
  remote: string;
  /** File path (relative, `/`-separated) → content, or a folder to copy as the whole tree. */
  files: Record<string, string> | string;
  message: string;
  /** Work clone to use (cloned from `remote` if it has no `.git` yet); by default one temp clone per remote. */
  workdir?: string;
}

export interface RunGitOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Environment that isolates git from the machine: no user/system config (no
 * credential helpers), and never a terminal prompt, so a missing credential
 * fails fast instead of hanging the test.
 */
export const GIT_ENV: NodeJS.ProcessEnv = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  GIT_ASKPASS: '',
  SSH_ASKPASS: '',
};

/** Runs `git args...`; resolves stdout, rejects with git's stderr in the message. */
export function runGit(args: string[], opts: RunGitOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd: opts.cwd, env: { ...process.env, ...GIT_ENV, ...opts.env }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`git ${args.join(' ')} failed: ${stderr.trim() || err.message}`, { cause: err }));
        else resolve(stdout);
      },
    );
  });
}

const workClones = new Map<string, string>();
let clonesRoot: string | undefined;
let cloneCount = 0;

/**
 * Replaces the tree of branch `main` at `remote` with `files` and pushes it as
 * one new commit (a fast-forward of the previous push). Returns the commit sha.
 */
export async function pushFolder(opts: PushFolderOptions): Promise<string> {
  const dir = opts.workdir ? await ensureClone(opts.remote, opts.workdir) : await workCloneFor(opts.remote);
  await clearWorkTree(dir);
  if (typeof opts.files === 'string') {
    await cp(opts.files, dir, { recursive: true, filter: (src) => path.basename(src) !== '.git' });
  } else {
    for (const [name, content] of Object.entries(opts.files)) {
      const file = path.join(dir, ...name.split('/'));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
    }
  }
  await runGit(['add', '--all'], { cwd: dir });
  await runGit(['commit', '--quiet', '--allow-empty', '-m', opts.message], { cwd: dir });
  await runGit(['-c', 'protocol.version=2', 'push', '--quiet', 'origin', 'HEAD:main'], { cwd: dir });
  return (await runGit(['rev-parse', 'HEAD'], { cwd: dir })).trim();
}

/** Removes the temp work clones made by `pushFolder` (also done at process exit). */
export async function removeWorkClones(): Promise<void> {
  workClones.clear();
  if (clonesRoot) await rm(clonesRoot, { recursive: true, force: true });
  clonesRoot = undefined;
}

async function workCloneFor(remote: string): Promise<string> {
  const known = workClones.get(remote);
  if (known) return known;
  if (!clonesRoot) {
    clonesRoot = await mkdtemp(path.join(tmpdir(), 'nexus-push-'));
    const root = clonesRoot;
    // Safety net for tests that forget removeWorkClones().
    process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  }
  const dir = await ensureClone(remote, path.join(clonesRoot, String(++cloneCount)));
  workClones.set(remote, dir);
  return dir;
}

async function ensureClone(remote: string, dir: string): Promise<string> {
  if (existsSync(path.join(dir, '.git'))) return dir;
  // Cloning an empty repo works (with a warning); later pushes then build on it.
  await runGit(['clone', '--quiet', remote, dir]);
  await runGit(['checkout', '--quiet', '-B', 'main'], { cwd: dir });
  await runGit(['config', 'user.name', 'Nexus Test'], { cwd: dir });
  await runGit(['config', 'user.email', 'test@nexus.invalid'], { cwd: dir });
  return dir;
}

/** Deletes everything but `.git`, so files missing from the next push are deleted in git too. */
async function clearWorkTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir)) {
    if (entry !== '.git') await rm(path.join(dir, entry), { recursive: true, force: true });
  }
}
