/**
 * A private nginx for one test: its own prefix, config and loopback port, run
 * in the foreground as a child of the test so it is stopped by its own pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from './http.ts';

export interface NginxInstance {
  /** Loopback port of the default server; server blocks in sitesDir listen on `127.0.0.1:<port>` too. */
  port: number;
  prefix: string;
  /** Every `*.conf` here is included inside `http {}`. */
  sitesDir: string;
  confFile: string;
  /** `nginx -t` for this instance, as argv. */
  testCommand: string[];
  /** `nginx -s reload` for this instance, as argv. */
  reloadCommand: string[];
  /** Stops this instance (by its pid) and removes its prefix. */
  stop(): Promise<void>;
}

/** Starts nginx on a free 127.0.0.1 port; resolves once the port answers. */
export async function startNginx(): Promise<NginxInstance> {
  const prefix = await mkdtemp(path.join(tmpdir(), 'nexus-nginx-'));
  const sitesDir = path.join(prefix, 'sites');
  const confFile = path.join(prefix, 'nginx.conf');
  const errorLog = path.join(prefix, 'error.log');
  await mkdir(sitesDir);
  await mkdir(path.join(prefix, 'tmp'));
  const port = await freePort();
  await writeFile(confFile, renderNginxConf({ prefix, sitesDir, errorLog, port }));

  // daemon off: the master stays our child, so its pid is known and stop()
  // can never hit another nginx on the machine.
  const child = spawn('nginx', ['-p', prefix, '-c', confFile, '-e', errorLog], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // 'error' without 'exit' happens when nginx is not installed at all.
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (err) => {
      stderr += `${err.message}\n`;
      resolve();
    });
  });

  try {
    await waitFor(
      async () => {
        if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`nginx exited: ${stderr.trim() || (await readLog(errorLog))}`);
        }
        return canConnect(port);
      },
      { timeoutMs: 10_000, intervalMs: 50, what: `nginx to listen on 127.0.0.1:${port}` },
    );
  } catch (err) {
    await stopChild(child, exited);
    await rm(prefix, { recursive: true, force: true });
    throw err;
  }

  return {
    port,
    prefix,
    sitesDir,
    confFile,
    testCommand: ['nginx', '-t', '-q', '-p', prefix, '-c', confFile],
    reloadCommand: ['nginx', '-p', prefix, '-c', confFile, '-s', 'reload'],
    async stop() {
      await stopChild(child, exited);
      await rm(prefix, { recursive: true, force: true });
    },
  };
}

interface ConfParams {
  prefix: string;
  sitesDir: string;
  errorLog: string;
  port: number;
}

/** The instance's nginx.conf: everything (pid, logs, temp files) stays under the prefix. */
export function renderNginxConf({ prefix, sitesDir, errorLog, port }: ConfParams): string {
  const tmp = path.join(prefix, 'tmp');
  // As root, workers would run as "nobody" and could not enter the 0700
  // temp prefix; as non-root the directive only draws a warning.
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  return `${user}daemon off;
worker_processes 1;
pid ${path.join(prefix, 'nginx.pid')};
error_log ${errorLog} warn;

events {
  worker_connections 256;
}

http {
  access_log off;
  client_body_temp_path ${tmp}/client_body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;

  include ${sitesDir}/*.conf;

  server {
    listen 127.0.0.1:${port} default_server;
    return 404;
  }
}
`;
}

/** A loopback port that was free a moment ago (bind port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** SIGTERM (fast shutdown), then SIGKILL if the master has not exited in 5 s. */
async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function readLog(file: string): Promise<string> {
  return readFile(file, 'utf8').catch(() => '(no error log)');
}
