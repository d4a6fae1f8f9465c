/**
 * The platform Postgres: one container per agent that the agent manages
 * itself, on the agent's own Docker network (apps reach it as `postgres`),
 * data in a named volume, superuser password made once and kept in the
 * data folder (mode 0600). It survives agent and container restarts.
 *
 * A missing container is created; a container that exists but is stopped
 * is NOT started: stopping it is an operator's decision (maintenance,
 * restore), and the agent reports it instead of fighting it. Docker's
 * restart policy brings it back after a crash or a host reboot. A container
 * made by this call is waited for until it accepts connections.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import pg from 'pg';
import { LABEL } from '../runtime/index.ts';

export const ROLE_LABEL = 'nexus.role';
/** The name apps use to reach the server on the agent network. */
export const APP_HOST = 'postgres';
export const APP_PORT = 5432;

export interface PlatformPostgres {
  /** For the agent on the host: 127.0.0.1 and the published port. */
  adminUrl: string;
  appHost: string;
  appPort: number;
  /** The Docker network app containers join to reach it. */
  network: string;
}

export type PlatformState =
  | { running: true; server: PlatformPostgres }
  | { running: false; reason: string };

export function platformNames(agentName: string) {
  return { network: `nexus-${agentName}`, volume: `nexus-${agentName}-postgres`, container: `nexus-${agentName}-postgres` };
}

/** Admin passwords read so far, by data folder: observe runs every cycle, the file never changes. */
const knownPasswords = new Map<string, string>();

/** The superuser password, made on first use and kept in `<dataDir>/postgres-admin.json` (0600). */
async function adminPassword(dataDir: string): Promise<string> {
  const known = knownPasswords.get(dataDir);
  if (known) return known;
  const password = await readOrMakePassword(dataDir);
  knownPasswords.set(dataDir, password);
  return password;
}

async function readOrMakePassword(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'postgres-admin.json');
  const existing = await readFile(file, 'utf8').then((text) => (JSON.parse(text) as { password?: string }).password, () => undefined);
  if (existing) return existing;
  const password = randomBytes(32).toString('base64url');
  await writeFile(file, `${JSON.stringify({ password })}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return (JSON.parse(await readFile(file, 'utf8')) as { password: string }).password;
}

/** Calls in progress per agent: Docker does not make network names unique under concurrent creates. */
const inProgress = new Map<string, Promise<PlatformState>>();

/** Makes sure network, volume and container exist; reports whether the server container runs. */
export async function ensurePlatformPostgres(input: PlatformInput): Promise<PlatformState> {
  // One at a time per agent (observe and ensures of several apps run in parallel); later callers queue behind.
  const previous = inProgress.get(input.agentName) ?? Promise.resolve(undefined);
  const current = previous.catch(() => undefined).then(() => ensureOnce(input));
  inProgress.set(input.agentName, current);
  try {
    return await current;
  } finally {
    if (inProgress.get(input.agentName) === current) inProgress.delete(input.agentName);
  }
}

interface PlatformInput {
  docker: Docker;
  agentName: string;
  dataDir: string;
  image: string;
  /** false: only look (for `nexus plan`); a missing server is reported, not made. Default true. */
  create?: boolean;
}

async function ensureOnce(input: PlatformInput): Promise<PlatformState> {
  const { docker, agentName } = input;
  const names = platformNames(agentName);
  const labels = { [LABEL.managed]: 'true', [LABEL.agent]: agentName, [ROLE_LABEL]: 'postgres' };

  if (input.create === false) {
    const existing = await findContainer(docker, names.container);
    if (!existing) return { running: false, reason: `the platform Postgres container ${names.container} does not exist yet — the next cycle creates it` };
  }
  const networks = await docker.listNetworks({ filters: { name: [names.network] } });
  if (!networks.some((network) => network.Name === names.network)) {
    await docker.createNetwork({ Name: names.network, Driver: 'bridge', Labels: labels, CheckDuplicate: true }).catch((error: { statusCode?: number }) => {
      if (error.statusCode !== 409) throw error;
    });
  }
  const password = await adminPassword(input.dataDir);

  let created = false;
  let info = (await docker.listContainers({ all: true, filters: { name: [names.container], label: [`${ROLE_LABEL}=postgres`, `${LABEL.agent}=${agentName}`] } }))
    .find((item) => item.Names.includes(`/${names.container}`));
  if (!info) {
    // The volume first, so it carries the labels (a bind of a missing named volume would make an unlabelled one).
    await docker.createVolume({ Name: names.volume, Labels: labels }).catch((error: { statusCode?: number }) => {
      if (error.statusCode !== 409) throw error;
    });
    // Two callers at once (observe and an ensure in parallel): the second gets 409 and uses the first one's container.
    const container = await docker.createContainer({
      name: names.container,
      Image: input.image,
      Env: [`POSTGRES_PASSWORD=${password}`],
      Labels: labels,
      ExposedPorts: { '5432/tcp': {} },
      HostConfig: {
        NetworkMode: names.network,
        Binds: [`${names.volume}:/var/lib/postgresql/data`],
        PortBindings: { '5432/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
        RestartPolicy: { Name: 'unless-stopped' },
        LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
      },
      NetworkingConfig: { EndpointsConfig: { [names.network]: { Aliases: [APP_HOST] } } },
    }).catch((error: { statusCode?: number }) => {
      if (error.statusCode !== 409) throw error;
      return undefined;
    });
    if (container) await startOnce(container);
    info = await findContainer(docker, names.container);
    created = true;
  }
  // Created but never started: made by a concurrent call, or the agent died between create and start.
  // Starting it is finishing that creation, not overriding an operator's stop (a stopped one is "exited").
  if (info?.State === 'created') {
    await startOnce(docker.getContainer(info.Id));
    info = await findContainer(docker, names.container);
    created = true;
  }
  if (!info || info.State !== 'running') {
    return { running: false, reason: `the platform Postgres container ${names.container} is ${info?.State ?? 'missing'} — start it with \`docker start ${names.container}\`` };
  }
  const port = info.Ports.find((item) => item.PrivatePort === 5432 && item.IP === '127.0.0.1')?.PublicPort;
  if (!port) return { running: false, reason: `the platform Postgres container ${names.container} publishes no port on 127.0.0.1` };
  const adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  // A new container runs initdb first: callers get a server that answers, not a first round of connection errors.
  if (created && !(await acceptsConnections(adminUrl, READY_TIMEOUT_MS))) {
    return { running: false, reason: `the platform Postgres container ${names.container} did not accept connections within ${READY_TIMEOUT_MS / 1000} s — see \`docker logs ${names.container}\`` };
  }
  return { running: true, server: { adminUrl, appHost: APP_HOST, appPort: APP_PORT, network: names.network } };
}

const READY_TIMEOUT_MS = 60_000;

async function findContainer(docker: Docker, name: string): Promise<Docker.ContainerInfo | undefined> {
  return (await docker.listContainers({ all: true, filters: { name: [name] } })).find((item) => item.Names.includes(`/${name}`));
}

/** Starts a container; "already started" (304, a concurrent caller was first) is fine. */
async function startOnce(container: Docker.Container): Promise<void> {
  await container.start().catch((error: { statusCode?: number }) => {
    if (error.statusCode !== 304) throw error;
  });
}

/** Polls until the admin can run a query, or the time is up. */
async function acceptsConnections(adminUrl: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      if (Date.now() >= deadline) return false;
      await sleep(100);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
