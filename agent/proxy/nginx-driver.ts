import fs from 'node:fs/promises';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { NexusError } from '../errors/index.ts';
import http from 'node:http';
import { parseRouteHeader, probeAddress, type RouteHeader } from './render.ts';

/** Answers from the new release in a row that count as "the switch is live". */
const CONFIRMATIONS = 3;

export class NginxRejectedError extends NexusError<'NGINX_REJECTED', { file: string; output: string }> {
  constructor(file: string, output: string) {
    super('NGINX_REJECTED', `nginx rejected ${file}: ${output.trim()} — the previous route was kept; fix the domains in nexus.yaml`, { file, output });
  }
}

export class NginxUnavailableError extends NexusError<'NGINX_UNAVAILABLE', { command: string[]; output: string }> {
  constructor(command: string[], output: string) {
    super('NGINX_UNAVAILABLE', `\`${command.join(' ')}\` failed: ${output.trim()} — is nginx installed and running?`, { command, output });
  }
}

/** A route file in the agent's folder, as found on disk. */
export interface ObservedRoute {
  file: string;
  content: string;
  /** Undefined when the header was removed or mangled (edited by hand). */
  header?: RouteHeader;
}

/** The nginx operations the reconciler needs. */
export interface ProxyDriver {
  listRoutes(): Promise<ObservedRoute[]>;
  /** Atomically replaces a route, checks the whole config and reloads; on a failed check restores the previous file. */
  writeRoute(file: string, content: string): Promise<void>;
  removeRoute(file: string): Promise<void>;
  /**
   * After a reload, waits until nginx answers for `domain` from `release`
   * several times in a row: workers of the previous configuration can still
   * take new connections for a moment. False if that did not happen in time.
   */
  confirmRoute?(input: { domain: string; path: string; release: string; timeoutMs: number }): Promise<boolean>;
  /** Reloads nginx so it serves what the route files say (after a restart: a kill may have come between a file's rename and its reload). */
  reload?(): Promise<void>;
}

export interface NginxOptions {
  /** The folder of server blocks the agent owns. */
  dir: string;
  /** The `listen` argument of the server blocks; where confirmRoute probes. */
  listen?: string;
  testCommand: string[];
  reloadCommand: string[];
}

/** The real proxy driver: files in the agent's folder, `nginx -t`, reload. */
export function createNginxDriver(options: NginxOptions): ProxyDriver {
  const fullPath = (file: string) => path.join(options.dir, file);

  async function checkAndReload(): Promise<void> {
    await run(options.reloadCommand);
  }

  return {
    async listRoutes() {
      await fs.mkdir(options.dir, { recursive: true });
      const names = (await fs.readdir(options.dir)).filter((name) => name.startsWith('nexus--') && name.endsWith('.conf'));
      const routes: ObservedRoute[] = [];
      for (const file of names.sort()) {
        const content = await fs.readFile(fullPath(file), 'utf8').catch(() => undefined);
        if (content !== undefined) routes.push({ file, content, header: parseRouteHeader(content) });
      }
      return routes;
    },

    async writeRoute(file, content) {
      await fs.mkdir(options.dir, { recursive: true });
      const target = fullPath(file);
      const previous = await fs.readFile(target, 'utf8').catch(() => undefined);
      await writeAtomically(target, content);
      const check = await run(options.testCommand, { allowFailure: true });
      if (!check.ok) {
        if (previous === undefined) await fs.rm(target, { force: true });
        else await writeAtomically(target, previous);
        throw new NginxRejectedError(file, check.output);
      }
      await checkAndReload();
    },

    async confirmRoute({ domain, path: urlPath, release, timeoutMs }) {
      if (!options.listen) return true;
      const { host, port } = probeAddress(options.listen);
      const deadline = Date.now() + timeoutMs;
      let inARow = 0;
      while (Date.now() < deadline) {
        const answer = await probe(host, port, domain, urlPath);
        inARow = answer === release ? inARow + 1 : 0;
        if (inARow >= CONFIRMATIONS) return true;
        await new Promise((resolve) => setTimeout(resolve, inARow > 0 ? 20 : 100));
      }
      return false;
    },

    reload: () => checkAndReload(),

    async removeRoute(file) {
      const target = fullPath(file);
      const existed = await fs.rm(target).then(() => true, () => false);
      if (existed) await checkAndReload();
    },
  };
}

/** One request through nginx; resolves with its X-Nexus-Release header (undefined on any failure). */
function probe(host: string, port: number, domain: string, urlPath: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    // A fresh connection each time (no keep-alive): it must be accepted by whichever worker is current.
    const request = http.get({ host, port, path: urlPath, headers: { host: domain, connection: 'close' }, agent: false, timeout: 2_000 }, (response) => {
      response.resume();
      const header = response.headers['x-nexus-release'];
      resolve(typeof header === 'string' ? header : undefined);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

/** Write to a temp file in the same folder, then rename: readers see old or new, never half. */
async function writeAtomically(target: string, content: string): Promise<void> {
  // The temp name must not end in .conf, or nginx would include it.
  const temp = `${target}.${process.pid}.tmp`;
  const handle = await fs.open(temp, 'w', 0o644);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, target);
}

interface RunResult {
  ok: boolean;
  output: string;
}

function run(command: string[], options: { allowFailure?: boolean } = {}): Promise<RunResult> {
  const [file, ...args] = command;
  return new Promise((resolve, reject) => {
    execFile(file ?? 'nginx', args, { timeout: 30_000 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      if (!error) return resolve({ ok: true, output });
      if (options.allowFailure && typeof error.code === 'number') return resolve({ ok: false, output });
      reject(new NginxUnavailableError(command, output || error.message));
    });
  });
}
