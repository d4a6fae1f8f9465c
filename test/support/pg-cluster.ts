/**
 * A throwaway Postgres cluster for one test file: `initdb` in a temp folder,
 * password (scram) auth, the postmaster run in the foreground as a child of
 * the test on a free 127.0.0.1 port, stopped by its own pid, folder removed.
 *
 * initdb and postgres refuse to run as root, so as root the cluster belongs
 * to the `postgres` user (made by Debian's postgresql package) or, failing
 * that, to `nobody`; no user is created and nothing outside the temp folder
 * is touched.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './nginx.ts';

const run = promisify(execFile);

/** Where Debian's postgresql-15 package puts the server binaries; PG_BIN overrides. */
export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PgCluster {
  host: '127.0.0.1';
  port: number;
  /** The cluster's superuser (not the OS user it runs as). */
  user: string;
  password: string;
  /** A connection URL for `database` (default `postgres`), with the superuser's password in it. */
  url(database?: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the postmaster (by its pid) and removes the folder. */
  stop(): Promise<void>;
}

export interface PgClusterOptions {
  /** fsync and synchronous commit; off by default (throwaway data, faster tests). */
  durable?: boolean;
}

interface OsUser {
  uid: number;
  gid: number;
}

/** Creates and starts a cluster; resolves once it accepts connections (~1 s). */
export async function startPgCluster(options: PgClusterOptions = {}): Promise<PgCluster> {
  const owner = await clusterOwner();
  const dir = await mkdtemp(path.join(tmpdir(), 'nexus-pg-'));
  const dataDir = path.join(dir, 'data');
  const socketDir = path.join(dir, 'socket');
  const user = 'nexus';
  const password = randomBytes(12).toString('hex');
  let postmaster: Postmaster | undefined;
  try {
    await mkdir(socketDir);
    await writeFile(path.join(dir, 'pwfile'), `${password}\n`, { mode: 0o600 });
    if (owner) {
      // mkdtemp makes the folder 0700 for root; the owner needs it to itself.
      for (const item of [dir, socketDir, path.join(dir, 'pwfile')]) await chown(item, owner.uid, owner.gid);
    }
    await chmod(dir, 0o700);
    await runAs(owner, path.join(PG_BIN, 'initdb'), [
      '-D', dataDir, '-U', user, `--pwfile=${path.join(dir, 'pwfile')}`, '--auth=scram-sha-256',
      '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions',
    ]);
    await rm(path.join(dir, 'pwfile'));

    // A port free a moment ago may be taken by the time postgres binds it: try a few.
    for (let attempt = 1; ; attempt += 1) {
      const port = await freePort();
      try {
        postmaster = await startPostmaster({ owner, dataDir, socketDir, port, durable: options.durable ?? false });
        break;
      } catch (err) {
        if (attempt >= 3 || !/could not bind|address already in use/i.test(String(err))) throw err;
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const started = postmaster;
  const port = started.port;
  // If the test process dies without stop(), do not leave a postmaster behind.
  const onExit = () => {
    started.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  const url = (database = 'postgres') => `postgres://${user}:${password}@127.0.0.1:${port}/${database}`;
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    url,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async stop() {
      process.off('exit', onExit);
      await started.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

interface Postmaster {
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

interface PostmasterParams {
  owner: OsUser | undefined;
  dataDir: string;
  socketDir: string;
  port: number;
  durable: boolean;
}

/** Runs `postgres` in the foreground and waits until postmaster.pid says "ready". */
async function startPostmaster({ owner, dataDir, socketDir, port, durable }: PostmasterParams): Promise<Postmaster> {
  const settings = [
    `listen_addresses=127.0.0.1`, `port=${port}`, `unix_socket_directories=${socketDir}`,
    ...(durable ? [] : ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off']),
  ];
  const child = spawn(path.join(PG_BIN, 'postgres'), ['-D', dataDir, ...settings.flatMap((setting) => ['-c', setting])], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_ALL: 'C' },
    ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (err) => {
      stderr += `${err.message}\n`;
      resolve();
    });
  });
  const stop = async () => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    // SIGINT is the "fast" shutdown: it does not wait for clients to disconnect.
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
      await exited;
      throw new Error(`postgres exited before it was ready on 127.0.0.1:${port}: ${stderr.trim() || '(no output)'}`);
    }
    // Line 8 of postmaster.pid is the server's status; "ready" once it accepts connections.
    const pidFile = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
    if (pidFile.split('\n')[7]?.trim() === 'ready') return { port, child, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`postgres did not become ready on 127.0.0.1:${port} within 15 s: ${stderr.trim() || '(no output)'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** undefined when not root (the cluster runs as us); otherwise the unprivileged user to run it as. */
async function clusterOwner(): Promise<OsUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    const user = await lookupUser(name);
    if (user) return user;
  }
  throw new Error('running as root, and neither a "postgres" nor a "nobody" user exists to own a test Postgres cluster — install postgresql-15 (it creates "postgres") or run the tests as an unprivileged user');
}

async function lookupUser(name: string): Promise<OsUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

async function runAs(owner: OsUser | undefined, file: string, args: string[]): Promise<void> {
  try {
    await run(file, args, { env: { ...process.env, LC_ALL: 'C' }, ...(owner ? { uid: owner.uid, gid: owner.gid } : {}) });
  } catch (err) {
    const output = err as { stderr?: string; stdout?: string; message: string };
    const hint = (err as NodeJS.ErrnoException).code === 'ENOENT' ? ` — is postgresql-15 installed (apt-get install -y postgresql-15)? Set PG_BIN if its binaries are elsewhere` : '';
    throw new Error(`${path.basename(file)} failed: ${(output.stderr || output.stdout || output.message).trim()}${hint}`, { cause: err });
  }
}
