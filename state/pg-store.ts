import pg from 'pg';
import { NexusError } from '../agent/errors/index.ts';
import type { StateStore } from './json-store.ts';
import { trimHistory } from './history.ts';
import { emptyState, type StateData } from './model.ts';

export interface PgStoreOptions {
  /**
   * Agents with the same namespace share one state; different namespaces in
   * one database never see each other. Default `default`.
   */
  namespace?: string;
  /** How long to wait for a connection before giving up. Default 10 s. */
  connectTimeoutMs?: number;
}

/** Where a Postgres URL points, for messages: never the password. */
export interface PgTarget {
  host: string;
  port: number;
  database: string;
  user: string;
}

/** The Postgres state store cannot be reached or refuses us; the message says what to check. */
export class StateStoreUnavailableError extends NexusError<'STATE_STORE_UNAVAILABLE', PgTarget & { reason: string }> {
  constructor(target: PgTarget, reason: string, advice: string, options?: { cause?: unknown }) {
    super(
      'STATE_STORE_UNAVAILABLE',
      `cannot use the Postgres state store at ${describeTarget(target)} as user "${target.user}": ${reason} — ${advice}`,
      { ...target, reason },
      options,
    );
  }
}

/** The state URL is not a Postgres URL that can be parsed. */
export class InvalidStateUrlError extends NexusError<'INVALID_STATE_URL', { scheme: string }> {
  constructor(scheme: string, reason: string) {
    super('INVALID_STATE_URL', `the state url (scheme "${scheme}") ${reason} — give postgres://user:password@host:port/database, or no url for the JSON store in the data folder`, { scheme });
  }
}

// Both tables carry the namespace so one database can hold several agent groups.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS nexus_state (
  namespace text PRIMARY KEY,
  data jsonb NOT NULL,
  version bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS nexus_build_logs (
  id text NOT NULL,
  namespace text NOT NULL,
  log text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (namespace, id)
);`;

/** Any constant; it only keeps two agents opening at once from racing on CREATE TABLE. */
const SCHEMA_LOCK = 0x6e657875;

/**
 * A store kept in Postgres, for several agents sharing one state. Each
 * `update` runs in a transaction on the row locked FOR UPDATE, applies the
 * change to the freshest data and bumps a version, so agents never lose
 * each other's updates; within the process updates are queued as well.
 * The schema is created on open (idempotent).
 */
export async function openPgStore(url: string, options: PgStoreOptions = {}): Promise<StateStore> {
  const target = parsePgUrl(url);
  const namespace = options.namespace ?? 'default';
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000 });
  // An idle connection the server drops must not crash the agent; the next
  // query opens a new one and reports the failure itself.
  pool.on('error', () => {});

  async function withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw unavailable(target, err);
    }
    try {
      return await work(client);
    } finally {
      client.release();
    }
  }

  async function transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return withClient(async (client) => {
      await client.query('BEGIN');
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  let state: StateData;
  let version: number;
  try {
    ({ state, version } = await transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      await client.query(SCHEMA);
      await client.query(
        'INSERT INTO nexus_state (namespace, data, version) VALUES ($1, $2::jsonb, 0) ON CONFLICT (namespace) DO NOTHING',
        [namespace, JSON.stringify(emptyState())],
      );
      return selectState(client, namespace, false);
    }));
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  let queue: Promise<void> = Promise.resolve();

  /** Keeps the newest snapshot: a slow refresh must not undo a faster update. */
  function adopt(next: { state: StateData; version: number }): void {
    if (next.version < version) return;
    state = next.state;
    version = next.version;
  }

  return {
    read: () => state,
    async refresh() {
      adopt(await withClient((client) => selectState(client, namespace, false)));
    },
    async close() {
      await queue;
      await pool.end();
    },
    update(change) {
      const run = queue.then(async () => {
        adopt(await transaction(async (client) => {
          const current = await selectState(client, namespace, true);
          change(current.state);
          const dropped = trimHistory(current.state);
          const saved = await client.query<{ version: string }>(
            'UPDATE nexus_state SET data = $2::jsonb, version = version + 1, updated_at = now() WHERE namespace = $1 RETURNING version',
            [namespace, JSON.stringify(current.state)],
          );
          if (dropped.length > 0) {
            await client.query('DELETE FROM nexus_build_logs WHERE namespace = $1 AND id = ANY($2::text[])', [namespace, dropped]);
          }
          return { state: current.state, version: Number(saved.rows[0]!.version) };
        }));
      });
      queue = run.catch(() => undefined);
      return run;
    },
    async writeBuildLog(deploymentId, log) {
      await withClient((client) => client.query(
        `INSERT INTO nexus_build_logs (namespace, id, log) VALUES ($1, $2, $3)
         ON CONFLICT (namespace, id) DO UPDATE SET log = EXCLUDED.log, created_at = now()`,
        [namespace, deploymentId, log],
      ));
    },
    async readBuildLog(deploymentId) {
      const result = await withClient((client) => client.query<{ log: string }>(
        'SELECT log FROM nexus_build_logs WHERE namespace = $1 AND id = $2',
        [namespace, deploymentId],
      ));
      return result.rows[0]?.log;
    },
  };
}

async function selectState(client: pg.PoolClient, namespace: string, lock: boolean): Promise<{ state: StateData; version: number }> {
  const result = await client.query<{ data: StateData; version: string }>(
    `SELECT data, version FROM nexus_state WHERE namespace = $1${lock ? ' FOR UPDATE' : ''}`,
    [namespace],
  );
  const row = result.rows[0];
  // The row is inserted on open and never deleted by Nexus; someone removed it by hand.
  if (!row) throw new Error(`the state row for namespace "${namespace}" is missing from nexus_state — reopen the store to recreate it (an empty state)`);
  return { state: { ...emptyState(), ...row.data }, version: Number(row.version) };
}

/**
 * Reads host, port, database and user from a postgres:// URL without ever
 * echoing the URL (it may hold a password). A socket folder given as
 * `?host=/path` is reported as the host.
 */
export function parsePgUrl(url: string): PgTarget {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase() ?? '';
  if (scheme !== 'postgres' && scheme !== 'postgresql') throw new InvalidStateUrlError(scheme || '(none)', 'is not a Postgres URL');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Node's URL error carries the input (password included): do not chain it.
    throw new InvalidStateUrlError(scheme, 'cannot be parsed');
  }
  const user = decodeURIComponent(parsed.username) || process.env.PGUSER || 'postgres';
  return {
    host: decodeURIComponent(parsed.hostname) || parsed.searchParams.get('host') || 'localhost',
    port: Number(parsed.port || parsed.searchParams.get('port') || 5432),
    database: decodeURIComponent(parsed.pathname.slice(1)) || user,
    user,
  };
}

/** `host:port/database`, for messages. */
export function describeTarget(target: PgTarget): string {
  return `${target.host}:${target.port}/${target.database}`;
}

/** Turns a connect failure into an error that says what to check. Only codes and pg's own words go in, never the URL. */
function unavailable(target: PgTarget, err: unknown): StateStoreUnavailableError {
  const code = (err as { code?: string }).code ?? '';
  const message = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'ECONNREFUSED':
      return new StateStoreUnavailableError(target, 'connection refused', 'start Postgres there or fix host and port in the state url', { cause: err });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StateStoreUnavailableError(target, `host "${target.host}" not found`, 'fix the host in the state url', { cause: err });
    case '28P01':
    case '28000':
      return new StateStoreUnavailableError(target, message, 'check the user and password in the state url and the server\'s pg_hba.conf', { cause: err });
    case '3D000':
      return new StateStoreUnavailableError(target, message, `create it (CREATE DATABASE ${target.database}) or fix the database in the state url`, { cause: err });
    default:
      if (/timeout/i.test(message)) {
        return new StateStoreUnavailableError(target, 'timed out connecting', 'check that the server is up and that no firewall drops the connection', { cause: err });
      }
      return new StateStoreUnavailableError(target, message || code || 'connection failed', 'check that the server is up and the state url is right', { cause: err });
  }
}
