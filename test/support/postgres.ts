/**
 * Helpers for tests of the platform Postgres (agent/database): open a
 * session with given credentials and say what happened, and remove every
 * Docker object one agent's platform Postgres made (container, volume,
 * network), found by name and the agent's label only.
 */
import type Docker from 'dockerode';
import pg from 'pg';
import { platformNames } from '../../agent/database/index.ts';

/** Runs one query on a fresh session: `ok <first row as JSON>` or `error <message>`, never throws. */
export async function tryQuery(url: string, sql = 'SELECT current_user AS who'): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const result = await client.query(sql);
    return `ok ${JSON.stringify(result.rows[0] ?? {})}`;
  } catch (error) {
    return `error ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs queries on one session as the given user (throws on failure). */
export async function withSession<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Removes the platform Postgres of `agentName`: its container, data volume and network. Missing is fine. */
export async function removePlatformPostgres(docker: Docker, agentName: string): Promise<void> {
  const names = platformNames(agentName);
  const containers = await docker.listContainers({ all: true, filters: { label: [`nexus.agent=${agentName}`] } });
  for (const info of containers) await docker.getContainer(info.Id).remove({ force: true, v: true }).catch(() => undefined);
  await docker.getVolume(names.volume).remove({ force: true }).catch(() => undefined);
  // By id: a network name is not unique in Docker, and a name that matches two networks removes neither.
  for (const network of await docker.listNetworks({ filters: { label: [`nexus.agent=${agentName}`] } })) {
    await docker.getNetwork(network.Id).remove().catch(() => undefined);
  }
}

/** The URL with user and password replaced. */
export function withCredentials(url: string, user: string, password: string, database?: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(user);
  parsed.password = encodeURIComponent(password);
  if (database) parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}
