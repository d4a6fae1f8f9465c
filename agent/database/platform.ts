/**
 * The platform Postgres: one container per agent that the agent manages
 * itself, on the agent's own Docker network (apps reach it as `postgres`),
 * data in a named volume, superuser password made once and kept in the
 * data folder (mode 0600). It survives agent and container restarts.
 *
 * A missing container is created; a container that exists but is stopped
 * is NOT started: stopping it is an operator's decision (maintenance,
 * restore), and the agent reports it instead of fighting it. Docker's
 * restart policy brings it back after a crash or a host reboot.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
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

/** The superuser password, made on first use and kept in `<dataDir>/postgres-admin.json` (0600). */
async function adminPassword(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'postgres-admin.json');
  const existing = await readFile(file, 'utf8').then((text) => (JSON.parse(text) as { password?: string }).password, () => undefined);
  if (existing) return existing;
  const password = randomBytes(32).toString('base64url');
  await writeFile(file, `${JSON.stringify({ password })}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return (JSON.parse(await readFile(file, 'utf8')) as { password: string }).password;
}

/** Makes sure network, volume and container exist; reports whether the server container runs. */
export async function ensurePlatformPostgres(input: { docker: Docker; agentName: string; dataDir: string; image: string }): Promise<PlatformState> {
  const { docker, agentName } = input;
  const names = platformNames(agentName);
  const labels = { [LABEL.managed]: 'true', [LABEL.agent]: agentName, [ROLE_LABEL]: 'postgres' };

  const networks = await docker.listNetworks({ filters: { name: [names.network] } });
  if (!networks.some((network) => network.Name === names.network)) {
    await docker.createNetwork({ Name: names.network, Driver: 'bridge', Labels: labels, CheckDuplicate: true }).catch((error: { statusCode?: number }) => {
      if (error.statusCode !== 409) throw error;
    });
  }
  const password = await adminPassword(input.dataDir);

  let info = (await docker.listContainers({ all: true, filters: { name: [names.container], label: [`${ROLE_LABEL}=postgres`, `${LABEL.agent}=${agentName}`] } }))
    .find((item) => item.Names.includes(`/${names.container}`));
  if (!info) {
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
    });
    await docker.createVolume({ Name: names.volume, Labels: labels }).catch(() => undefined);
    await container.start();
    info = (await docker.listContainers({ all: true, filters: { name: [names.container] } })).find((item) => item.Names.includes(`/${names.container}`));
  }
  if (!info || info.State !== 'running') {
    return { running: false, reason: `the platform Postgres container ${names.container} is ${info?.State ?? 'missing'} — start it with \`docker start ${names.container}\`` };
  }
  const port = info.Ports.find((item) => item.PrivatePort === 5432 && item.IP === '127.0.0.1')?.PublicPort;
  if (!port) return { running: false, reason: `the platform Postgres container ${names.container} publishes no port on 127.0.0.1` };
  return {
    running: true,
    server: { adminUrl: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`, appHost: APP_HOST, appPort: APP_PORT, network: names.network },
  };
}
