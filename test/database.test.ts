/**
 * The database drivers (agent/database) on the real services: the platform
 * Postgres container from the locally made postgres:15-bookworm image, and
 * roles/databases made in it with pg. No reconciler here (that is
 * databases.test.ts): each driver function is checked for what it promises.
 *
 * Everything made carries a unique agent name and is removed at the end;
 * the tests talk only to ports published on 127.0.0.1 and to containers
 * they made on the network they made.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  appConnectionUrl, databaseNames, dropAppDatabase, ensureAppDatabase, ensurePlatformPostgres, generatePassword,
  listAppDatabases, platformNames, setPassword, withAdmin, DatabaseAdminRejectedError, DatabaseUnreachableError, type PlatformPostgres,
} from '../agent/database/index.ts';
import { buildImage, packBuildContext } from '../agent/build/index.ts';
import type { TreeFile } from '../agent/source/index.ts';
import { freePort } from './support/nginx.ts';
import { httpGet, waitFor } from './support/http.ts';
import { removePlatformPostgres, tryQuery, withCredentials, withSession } from './support/postgres.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const IMAGE = process.env.NEXUS_PG_IMAGE ?? 'postgres:15-bookworm';
const docker = new Docker();

interface Context {
  agentName: string;
  dataDir: string;
  server: PlatformPostgres;
  apps: Record<'a' | 'b', { database: string; role: string; password: string }>;
  images: string[];
  /** Other agent names a test used (removed at the end whatever happened). */
  extraAgents: string[];
}

const db = suite<Context>('database drivers');

db.before(async (context) => {
  context.agentName = `dbt${randomBytes(4).toString('hex')}`;
  context.dataDir = await mkdtemp(path.join(tmpdir(), 'nexus-db-test-'));
  context.images = [];
  context.extraAgents = [];
});

db.after(async (context) => {
  for (const agentName of [context.agentName, ...context.extraAgents]) await removePlatformPostgres(docker, agentName);
  for (const image of context.images) await docker.getImage(image).remove({ force: true }).catch(() => undefined);
  await rm(context.dataDir, { recursive: true, force: true });
});

async function platform(context: Context): Promise<PlatformPostgres> {
  const state = await ensurePlatformPostgres({ docker, agentName: context.agentName, dataDir: context.dataDir, image: IMAGE });
  if (!state.running) throw new Error(`platform Postgres not running: ${state.reason}`);
  return state.server;
}

db('the platform Postgres starts on its own network, labelled, published on 127.0.0.1 only, and accepts the admin', async (context) => {
  const started = Date.now();
  context.server = await platform(context);
  console.log(`    platform Postgres: create to ready ${Date.now() - started} ms (first start, initdb included)`);
  // It returns once the server answers: no waiting on the caller's side.
  assert.match(await tryQuery(context.server.adminUrl, 'SHOW server_version'), /^ok \{"server_version":"15\./);

  const { adminUrl, appHost, appPort, network } = context.server;
  const names = platformNames(context.agentName);
  assert.is(new URL(adminUrl).hostname, '127.0.0.1');
  assert.is(new URL(adminUrl).username, 'postgres');
  assert.equal({ appHost, appPort, network }, { appHost: 'postgres', appPort: 5432, network: `nexus-${context.agentName}` });

  const info = await docker.getContainer(names.container).inspect();
  assert.equal(
    { managed: info.Config.Labels['nexus.managed'], agent: info.Config.Labels['nexus.agent'], role: info.Config.Labels['nexus.role'] },
    { managed: 'true', agent: context.agentName, role: 'postgres' },
  );
  assert.is(info.HostConfig.RestartPolicy?.Name, 'unless-stopped');
  assert.equal(info.NetworkSettings.Ports['5432/tcp']?.map((binding) => binding.HostIp), ['127.0.0.1']);
  assert.ok(info.NetworkSettings.Networks[network]?.Aliases?.includes('postgres'), 'alias postgres on the agent network');
  assert.ok(info.Mounts.some((mount) => mount.Type === 'volume' && mount.Name === names.volume && mount.Destination === '/var/lib/postgresql/data'));
  assert.is((await docker.getVolume(names.volume).inspect()).Labels?.['nexus.agent'], context.agentName);
  assert.is((await docker.getNetwork(network).inspect()).Labels?.['nexus.agent'], context.agentName);

  // scram-sha-256, and the superuser password is the one kept in the data folder (0600).
  const adminFile = path.join(context.dataDir, 'postgres-admin.json');
  assert.is((await stat(adminFile)).mode & 0o777, 0o600);
  const { password } = JSON.parse(await readFile(adminFile, 'utf8')) as { password: string };
  assert.ok(password.length >= 32);
  assert.is(decodeURIComponent(new URL(adminUrl).password), password);
  assert.match(await tryQuery(withCredentials(adminUrl, 'postgres', 'wrong')), /^error password authentication failed for user "postgres"/);
  assert.match(await tryQuery(adminUrl, 'SHOW password_encryption'), /scram-sha-256/);
  assert.match(await tryQuery(adminUrl, "SELECT count(*)::int AS n FROM pg_hba_file_rules WHERE type = 'host' AND auth_method <> 'scram-sha-256'"), /"n":0/);
  assert.is(await tryQuery(adminUrl, 'SHOW listen_addresses'), 'ok {"listen_addresses":"*"}');
  // The server runs as the image's postgres user, not root.
  const top = (await docker.getContainer(names.container).top({ ps_args: '-o pid,uid,comm' })) as { Titles: string[]; Processes: string[][] };
  const [uidAt, commAt] = [top.Titles.indexOf('UID'), top.Titles.indexOf('COMMAND')];
  const server = top.Processes.filter((row) => row[commAt] === 'postgres');
  assert.ok(server.length > 0 && server.every((row) => row[uidAt] !== '0'), JSON.stringify(top));
  assert.match(await tryQuery(adminUrl, 'SELECT current_setting(\'data_directory\') AS dir'), /\/var\/lib\/postgresql\/data/);
});

db('a dry run (create: false) reports a missing platform Postgres and makes nothing', async (context) => {
  const agentName = `${context.agentName}d`;
  context.extraAgents.push(agentName);
  const state = await ensurePlatformPostgres({ docker, agentName, dataDir: context.dataDir, image: IMAGE, create: false });
  assert.equal(state, { running: false, reason: `the platform Postgres container nexus-${agentName}-postgres does not exist yet — the next cycle creates it` });
  assert.equal(await docker.listContainers({ all: true, filters: { label: [`nexus.agent=${agentName}`] } }), []);
  assert.equal((await docker.listNetworks({ filters: { name: [`nexus-${agentName}`] } })).filter((item) => item.Name === `nexus-${agentName}`), []);
});

db('a second ensurePlatformPostgres changes nothing: same container, password and URL', async (context) => {
  const before = await docker.listContainers({ all: true, filters: { label: [`nexus.agent=${context.agentName}`] } });
  const again = await platform(context);
  const after = await docker.listContainers({ all: true, filters: { label: [`nexus.agent=${context.agentName}`] } });
  assert.equal(again, context.server);
  assert.equal(after.map((item) => item.Id), before.map((item) => item.Id));
  assert.is(after.length, 1);
  const networks = await docker.listNetworks({ filters: { name: [`nexus-${context.agentName}`] } });
  assert.is(networks.filter((item) => item.Name === `nexus-${context.agentName}`).length, 1);
});

db('two ensurePlatformPostgres calls at once (observe and an ensure in parallel) make one network and one container, and both get a ready server', async (context) => {
  const agentName = `${context.agentName}x`;
  context.extraAgents.push(agentName);
  const input = { docker, agentName, dataDir: context.dataDir, image: IMAGE };
  const states = await Promise.all([ensurePlatformPostgres(input), ensurePlatformPostgres(input)]);
  for (const state of states) {
    assert.ok(state.running, JSON.stringify(state));
    if (state.running) assert.match(await tryQuery(state.server.adminUrl), /^ok/);
  }
  const containers = await docker.listContainers({ all: true, filters: { label: [`nexus.agent=${agentName}`] } });
  assert.is(containers.length, 1);
  // Docker does not keep network names unique under concurrent creates: there must be exactly one.
  const networks = await docker.listNetworks({ filters: { label: [`nexus.agent=${agentName}`] } });
  assert.equal(networks.map((network) => network.Name), [`nexus-${agentName}`]);
  await removePlatformPostgres(docker, agentName);
});

db('databaseNames: valid identifiers of at most 63 bytes, distinct for apps that sanitise alike', () => {
  const long = databaseNames('acme/' + 'very-long-repository-name-'.repeat(5), 'a-very-long-application-name'.repeat(3));
  assert.ok(Buffer.byteLength(long.database) <= 63 && Buffer.byteLength(long.role) <= 63, long.database);
  for (const name of [long.database, databaseNames('Ümlaut Repo', 'Web App!').database]) assert.match(name, /^[a-z_][a-z0-9_]*$/);
  assert.is.not(databaseNames('acme', 'web-app').database, databaseNames('acme', 'web_app').database);
  assert.is.not(databaseNames('a-b', 'c').database, databaseNames('a', 'b-c').database);
  assert.equal(databaseNames('acme', 'web'), databaseNames('acme', 'web'));
  assert.is.not(databaseNames('acme', 'web', 'agent-a').role, databaseNames('acme', 'web', 'agent-b').role, 'two agents on one server never share a role');
  const password = generatePassword();
  assert.ok(password.length >= 32);
  assert.match(password, /^[A-Za-z0-9_-]+$/);
  assert.is.not(generatePassword(), password);
  assert.is(
    appConnectionUrl({ host: 'postgres', port: 5432, database: 'nx_db', role: 'nx_role', password: 'p@ss/word' }),
    'postgres://nx_role:p%40ss%2Fword@postgres:5432/nx_db',
  );
});

db('ensureAppDatabase: role without privileges and a database it owns; a second run changes nothing but the password', async (context) => {
  const { adminUrl } = context.server;
  const suffix = randomBytes(3).toString('hex');
  context.apps = {
    a: { ...databaseNames(`repo-${suffix}`, 'app-a'), password: generatePassword() },
    b: { ...databaseNames(`repo-${suffix}`, 'app-b'), password: generatePassword() },
  };
  for (const app of Object.values(context.apps)) await withAdmin(adminUrl, (client) => ensureAppDatabase(client, app));
  const a = context.apps.a;
  const snapshot = () => withAdmin(adminUrl, async (client) => {
    const role = await client.query('SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolinherit FROM pg_roles WHERE rolname = $1', [a.role]);
    const database = await client.query('SELECT d.oid, pg_get_userbyid(d.datdba) AS owner, d.datacl::text AS acl FROM pg_database d WHERE datname = $1', [a.database]);
    return { role: role.rows, database: database.rows };
  });
  const first = await snapshot();
  assert.equal(first.role, [{ rolcanlogin: true, rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolinherit: true }]);
  assert.is(first.database[0].owner, a.role);
  // No "=...c" entry for PUBLIC (an ACL item starting with "=") may remain.
  assert.not.match(first.database[0].acl, /[{,]=/);

  await withAdmin(adminUrl, (client) => ensureAppDatabase(client, a));
  assert.equal(await snapshot(), first, 'a second ensure leaves role and database as they were');

  const listed = await withAdmin(adminUrl, listAppDatabases);
  assert.ok(listed.includes(a.database) && listed.includes(context.apps.b.database), JSON.stringify(listed));
  assert.not.ok(listed.includes('postgres'));
});

db('isolation: app A works in its own database and cannot even connect to app B\'s', async (context) => {
  const { a, b } = context.apps;
  const own = withCredentials(context.server.adminUrl, a.role, a.password, a.database);
  const rows = await withSession(own, async (client) => {
    await client.query('CREATE TABLE notes (id serial PRIMARY KEY, text text NOT NULL)');
    await client.query("INSERT INTO notes (text) VALUES ('kept across restarts')");
    return (await client.query('SELECT current_user AS who, text FROM notes')).rows;
  });
  assert.equal(rows, [{ who: a.role, text: 'kept across restarts' }]);
  // Inside its database only the owner may create objects in schema public (Postgres 15: owned by pg_database_owner).
  assert.is(
    await tryQuery(own, "SELECT has_schema_privilege('public', 'public', 'CREATE') AS public_create, has_schema_privilege(current_user, 'public', 'CREATE') AS own_create"),
    'ok {"public_create":false,"own_create":true}',
  );

  const intruder = withCredentials(context.server.adminUrl, a.role, a.password, b.database);
  assert.match(await tryQuery(intruder), new RegExp(`^error permission denied for database "${b.database}"`));
  // (The maintenance database `postgres` keeps Postgres's default CONNECT for PUBLIC: it holds no app data.)
  // B's own credentials do work there.
  assert.match(await tryQuery(withCredentials(context.server.adminUrl, b.role, b.password, b.database)), new RegExp(`^ok \\{"who":"${b.role}"\\}`));
  // Wrong password for an existing role is refused.
  assert.match(await tryQuery(withCredentials(context.server.adminUrl, a.role, b.password, a.database)), /^error password authentication failed/);
});

db('data and passwords survive a restart of the Postgres container', async (context) => {
  const names = platformNames(context.agentName);
  const restarted = Date.now();
  await docker.getContainer(names.container).restart({ t: 10 });
  const server = await platform(context);
  assert.is(new URL(server.adminUrl).password, new URL(context.server.adminUrl).password);
  context.server = server;
  const { a } = context.apps;
  const own = withCredentials(server.adminUrl, a.role, a.password, a.database);
  const text = await waitFor(async () => {
    const answer = await tryQuery(own, 'SELECT text FROM notes');
    return answer.startsWith('ok') ? answer : undefined;
  }, { timeoutMs: 60_000, intervalMs: 100, what: 'app A to read its table after the restart' });
  console.log(`    platform Postgres: restart (stop + start) to ready ${Date.now() - restarted} ms`);
  assert.is(text, 'ok {"text":"kept across restarts"}');
});

db('a stopped platform container is reported with the command to start it, not restarted behind the operator', async (context) => {
  const names = platformNames(context.agentName);
  await docker.getContainer(names.container).stop({ t: 10 });
  const state = await ensurePlatformPostgres({ docker, agentName: context.agentName, dataDir: context.dataDir, image: IMAGE });
  assert.is(state.running, false);
  if (!state.running) assert.match(state.reason, new RegExp(`${names.container} is exited — start it with \`docker start ${names.container}\``));
  assert.is((await docker.getContainer(names.container).inspect()).State.Running, false);
  await docker.getContainer(names.container).start();
  context.server = await platform(context);
  await waitFor(async () => (await tryQuery(context.server.adminUrl)).startsWith('ok'), { timeoutMs: 60_000, intervalMs: 200, what: 'Postgres back' });
});

db('setPassword (rotation): the old password stops working, the new one works, data stays', async (context) => {
  const { a } = context.apps;
  const next = generatePassword();
  await withAdmin(context.server.adminUrl, (client) => setPassword(client, a.role, next));
  assert.match(await tryQuery(withCredentials(context.server.adminUrl, a.role, a.password, a.database)), /^error password authentication failed/);
  assert.is(await tryQuery(withCredentials(context.server.adminUrl, a.role, next, a.database), 'SELECT text FROM notes'), 'ok {"text":"kept across restarts"}');
  a.password = next;
  // ensureAppDatabase with the recorded password is the same as a rotation for the role: the given password wins.
  await withAdmin(context.server.adminUrl, (client) => ensureAppDatabase(client, a));
  assert.match(await tryQuery(withCredentials(context.server.adminUrl, a.role, next, a.database)), /^ok/);
});

db('dropAppDatabase: closes open sessions, removes database and role; a second drop is fine', async (context) => {
  const { a, b } = context.apps;
  const open = new (await import('pg')).default.Client({ connectionString: withCredentials(context.server.adminUrl, a.role, a.password, a.database) });
  open.on('error', () => undefined);
  await open.connect();
  await withAdmin(context.server.adminUrl, (client) => dropAppDatabase(client, a));
  await open.end().catch(() => undefined);
  const left = await withAdmin(context.server.adminUrl, async (client) => ({
    databases: (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [a.database])).rowCount,
    roles: (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [a.role])).rowCount,
  }));
  assert.equal(left, { databases: 0, roles: 0 });
  assert.match(await tryQuery(withCredentials(context.server.adminUrl, a.role, a.password, a.database)), /^error password authentication failed/);
  await withAdmin(context.server.adminUrl, (client) => dropAppDatabase(client, a));
  const listed = await withAdmin(context.server.adminUrl, listAppDatabases);
  assert.not.ok(listed.includes(a.database));
  assert.ok(listed.includes(b.database), 'the other app keeps its database');
});

db('an unreachable server is a DatabaseUnreachableError naming the server, never the password', async () => {
  const port = await freePort();
  const password = 'not-to-be-shown-9f8e7d';
  const error = await withAdmin(`postgres://postgres:${password}@127.0.0.1:${port}/postgres`, async () => 'reached').catch((caught: unknown) => caught);
  assert.instance(error, DatabaseUnreachableError);
  const unreachable = error as DatabaseUnreachableError;
  assert.is(unreachable.code, 'DATABASE_UNREACHABLE');
  assert.equal(unreachable.data, { server: `127.0.0.1:${port}` });
  assert.match(unreachable.message, new RegExp(`Postgres at 127\\.0\\.0\\.1:${port} does not answer .*check that it runs`));
  assert.not.ok(unreachable.message.includes(password));
  assert.not.ok(JSON.stringify(unreachable.data).includes(password));
  // An admin URL without a password (trust/peer setups) gives a readable message too.
  const bare = await withAdmin(`postgres://postgres@127.0.0.1:${port}/postgres`, async () => 'reached').catch((caught: unknown) => caught as Error);
  assert.match((bare as Error).message, new RegExp(`^Postgres at 127\\.0\\.0\\.1:${port} does not answer \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\)`));
});

db('a refused admin login is a DatabaseAdminRejectedError that says which password must match, without the password', async (context) => {
  const wrong = withCredentials(context.server.adminUrl, 'postgres', 'wrong-admin-password-1a2b');
  const error = await withAdmin(wrong, async () => 'reached').catch((caught: unknown) => caught);
  assert.instance(error, DatabaseAdminRejectedError);
  const rejected = error as DatabaseAdminRejectedError;
  const port = new URL(context.server.adminUrl).port;
  assert.is(rejected.code, 'DATABASE_ADMIN_REJECTED');
  assert.equal(rejected.data, { server: `127.0.0.1:${port}`, user: 'postgres' });
  assert.match(rejected.message, /refused the admin login as "postgres" \(password authentication failed for user "postgres"\) — .*postgres-admin\.json/);
  assert.not.ok(rejected.message.includes('wrong-admin-password-1a2b'));
  assert.not.ok(rejected.message.includes(decodeURIComponent(new URL(context.server.adminUrl).password)));
});

/** The pg package and everything it requires, read from this repo's node_modules. */
async function pgClosure(): Promise<string[]> {
  const seen = new Set<string>();
  const visit = async (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const manifest = JSON.parse(await readFile(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) await visit(dependency);
  };
  await visit('pg');
  return [...seen];
}

async function* todoContext(): AsyncGenerator<TreeFile> {
  const walk = async function* (dir: string, prefix: string): AsyncGenerator<TreeFile> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) yield* walk(path.join(dir, entry.name), `${prefix}${entry.name}/`);
      else if (entry.isFile()) yield { path: `${prefix}${entry.name}`, mode: 0o100644, content: await readFile(path.join(dir, entry.name)) };
    }
  };
  yield* walk(path.join(ROOT, 'examples/todo-pg'), '');
  // No registry here: pg is vendored into the build context (never committed to the example).
  for (const name of await pgClosure()) yield* walk(path.join(ROOT, 'node_modules', name), `node_modules/${name}/`);
}

db('examples/todo-pg, built with the agent\'s builder, stores and lists todos in a provisioned database and is unhealthy without it', async (context) => {
  const app = { ...databaseNames(`repo-${context.agentName}`, 'todo'), password: generatePassword() };
  await withAdmin(context.server.adminUrl, (client) => ensureAppDatabase(client, app));
  const tag = `nexus-test/${context.agentName}-todo:1`;
  context.images.push(tag);
  const built = Date.now();
  await buildImage(docker, { tag, context: packBuildContext(todoContext()), dockerfile: 'Dockerfile', labels: { 'nexus.agent': context.agentName } });
  console.log(`    todo-pg image build: ${Date.now() - built} ms`);

  const { appHost, appPort, network } = context.server;
  const container = await docker.createContainer({
    Image: tag,
    name: `${context.agentName}-todo`,
    Labels: { 'nexus.agent': context.agentName },
    Env: [`DATABASE_URL=${appConnectionUrl({ host: appHost, port: appPort, database: app.database, role: app.role, password: app.password })}`],
    ExposedPorts: { '3000/tcp': {} },
    HostConfig: { NetworkMode: network, PortBindings: { '3000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
  });
  await container.start();
  const port = (await container.inspect()).NetworkSettings.Ports['3000/tcp']![0]!.HostPort;
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await httpGet(`${base}/healthz`)).status === 200, { timeoutMs: 60_000, intervalMs: 200, what: 'todo-pg healthy' });

  const post = async (text: string) => {
    const response = await fetch(`${base}/todos`, { method: 'POST', body: text, headers: { 'content-type': 'text/plain' } });
    return { status: response.status, body: await response.json() as unknown };
  };
  assert.equal(await post('buy milk'), { status: 201, body: { id: 1, text: 'buy milk' } });
  assert.is((await post('')).status, 400);
  const list = await httpGet(`${base}/todos`);
  assert.is(list.status, 200);
  assert.equal(JSON.parse(list.body), [{ id: 1, text: 'buy milk' }]);
  // The table is the app's, in its own database.
  assert.is(await tryQuery(withCredentials(context.server.adminUrl, app.role, app.password, app.database), 'SELECT count(*)::int AS n FROM todos'), 'ok {"n":1}');

  const names = platformNames(context.agentName);
  await docker.getContainer(names.container).stop({ t: 10 });
  const down = await waitFor(async () => {
    const answer = await httpGet(`${base}/healthz`);
    return answer.status !== 200 ? answer : undefined;
  }, { timeoutMs: 30_000, intervalMs: 200, what: 'todo-pg unhealthy without its database' });
  assert.is(down.status, 503);
  assert.not.ok(down.body.includes(app.password));
  await docker.getContainer(names.container).start();
  await waitFor(async () => (await httpGet(`${base}/healthz`)).status === 200, { timeoutMs: 60_000, intervalMs: 200, what: 'todo-pg healthy again' });
  assert.equal(JSON.parse((await httpGet(`${base}/todos`)).body), [{ id: 1, text: 'buy milk' }]);
});

db.run();
