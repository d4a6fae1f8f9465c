/**
 * Per-app roles and databases on a Postgres server, through pg with an
 * admin connection. Thin: each function is one idempotent step, every
 * identifier and literal is escaped by pg, and no password is ever put in
 * an error or a log line.
 */
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { NexusError } from '../errors/index.ts';

/** Every database and role Nexus makes starts with this, so observe can list them. */
export const NAME_PREFIX = 'nx_';

export class DatabaseUnreachableError extends NexusError<'DATABASE_UNREACHABLE', { server: string }> {
  constructor(server: string, reason: string) {
    super('DATABASE_UNREACHABLE', `Postgres at ${server} does not answer (${reason}) — check that it runs; apps that need it keep their running release`, { server });
  }
}

export class DatabaseAdminRejectedError extends NexusError<'DATABASE_ADMIN_REJECTED', { server: string; user: string }> {
  constructor(server: string, user: string, reason: string) {
    super('DATABASE_ADMIN_REJECTED', `Postgres at ${server} refused the admin login as "${user}" (${reason}) — fix the admin URL's user or password; for the platform Postgres, postgres-admin.json in the agent's data folder must hold the password its volume was first made with`, { server, user });
  }
}

/** Names of an app's database and role: valid, ≤ 63 bytes, and distinct even when sanitising makes two apps look alike. */
export function databaseNames(repo: string, app: string, agent = ''): { database: string; role: string } {
  const clean = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  // The agent's name is in the hash: two agents sharing one external server never share a role.
  const hash = createHash('sha256').update(agent ? `${agent}:${repo}/${app}` : `${repo}/${app}`).digest('hex').slice(0, 8);
  const name = `${NAME_PREFIX}${clean(repo).slice(0, 24)}_${clean(app).slice(0, 24)}_${hash}`;
  return { database: name, role: name };
}

/** A strong random password, URL-safe (it goes into DATABASE_URL). */
export function generatePassword(): string {
  return randomBytes(32).toString('base64url');
}

/** The URL an app uses; the password is percent-encoded. */
export function appConnectionUrl(input: { host: string; port: number; database: string; role: string; password: string }): string {
  return `postgres://${encodeURIComponent(input.role)}:${encodeURIComponent(input.password)}@${input.host}:${input.port}/${encodeURIComponent(input.database)}`;
}

/** Runs `work` on one admin connection; a server that does not answer is a DatabaseUnreachableError, a refused login a DatabaseAdminRejectedError. */
export async function withAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    const url = new URL(adminUrl);
    const server = `${url.hostname}:${url.port || 5432}`;
    const reason = redact((error as Error).message, url.password);
    // 28P01 wrong password, 28000 no pg_hba entry / role cannot log in: it answered, and said no.
    const code = (error as { code?: unknown }).code;
    if (code === '28P01' || code === '28000') throw new DatabaseAdminRejectedError(server, decodeURIComponent(url.username) || 'postgres', reason);
    throw new DatabaseUnreachableError(server, reason);
  }
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The message without the password, raw or percent-encoded (pg never puts it there; this is a guard). */
function redact(message: string, encodedPassword: string): string {
  if (!encodedPassword) return message;
  let text = message.replaceAll(encodedPassword, '***');
  const raw = decodeURIComponent(encodedPassword);
  if (raw) text = text.replaceAll(raw, '***');
  return text;
}

/**
 * The app's role (login, no superuser/createdb/createrole) with the given
 * password, and its database owned by it. CONNECT is revoked from PUBLIC,
 * so no other app's role can even open a session on it.
 */
export async function ensureAppDatabase(client: pg.Client, input: { database: string; role: string; password: string }): Promise<void> {
  const role = client.escapeIdentifier(input.role);
  const database = client.escapeIdentifier(input.database);
  const password = client.escapeLiteral(input.password);
  const hasRole = (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [input.role])).rowCount! > 0;
  await client.query(hasRole
    ? `ALTER ROLE ${role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${password}`
    : `CREATE ROLE ${role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${password}`);
  const hasDatabase = (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [input.database])).rowCount! > 0;
  if (!hasDatabase) await client.query(`CREATE DATABASE ${database} OWNER ${role}`);
  await client.query(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
  await client.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${database} TO ${role}`);
}

export async function setPassword(client: pg.Client, role: string, password: string): Promise<void> {
  await client.query(`ALTER ROLE ${client.escapeIdentifier(role)} WITH PASSWORD ${client.escapeLiteral(password)}`);
}

/** Drops the database (closing its sessions) and then the role. Missing is fine. */
export async function dropAppDatabase(client: pg.Client, input: { database: string; role: string }): Promise<void> {
  await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(input.database)} WITH (FORCE)`);
  await client.query(`DROP ROLE IF EXISTS ${client.escapeIdentifier(input.role)}`);
}

/** The app databases on the server (made by Nexus: their names start with NAME_PREFIX). */
export async function listAppDatabases(client: pg.Client): Promise<string[]> {
  const result = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'nx\\_%' ORDER BY datname");
  return result.rows.map((row) => row.datname);
}
