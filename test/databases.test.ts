/**
 * Per-app Postgres databases on the real services: the agent's platform
 * Postgres container (the locally made postgres:15-bookworm image), the real
 * examples/todo-pg app using DATABASE_URL through nginx, isolation between
 * apps' roles, data surviving a redeploy, an agent restart and a Postgres
 * restart, Postgres stopped (reasons, others unaffected, recovery),
 * password rotation, and prune that keeps data until `nexus db drop`.
 *
 * The todo app's npm dependencies are vendored into the pushed tree from
 * this repo's node_modules: containers here must not reach a registry.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHarness, docker, helloFiles, type Harness } from './support/agent-harness.ts';
import { waitFor } from './support/http.ts';
import { tryQuery } from './support/postgres.ts';
import { platformNames } from '../agent/database/index.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TODO = 'todo.nexus.localhost';
const NOTES = 'notes.nexus.localhost';
const HELLO = 'hello.nexus.localhost';
const PG_DEPENDENCIES = ['pg', 'pg-connection-string', 'pg-int8', 'pg-pool', 'pg-protocol', 'pg-types', 'pgpass', 'postgres-array', 'postgres-bytea', 'postgres-date', 'postgres-interval', 'split2', 'xtend'];

const db = suite<{ h: Harness; files: Record<string, string>; oldUrl: string }>('databases');

/** examples/todo-pg (apps todo and notes) + examples/hello under hello/, with pg vendored. */
async function repoFiles(manifestExtra = '', withNotes = true): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of ['server.js', 'Dockerfile', 'package.json']) files[name] = await readFile(path.join(ROOT, 'examples/todo-pg', name), 'utf8');
  const walk = async (dir: string, prefix: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) await walk(path.join(dir, entry.name), `${prefix}${entry.name}/`);
      else files[`${prefix}${entry.name}`] = await readFile(path.join(dir, entry.name), 'latin1');
    }
  };
  for (const dependency of PG_DEPENDENCIES) await walk(path.join(ROOT, 'node_modules', dependency), `node_modules/${dependency}/`);
  const hello = await helloFiles();
  files['hello/server.js'] = hello['server.js']!;
  files['hello/Dockerfile'] = hello.Dockerfile!;
  const app = (name: string, domain: string) => [`  ${name}:`, '    port: 3000', `    domains: [${domain}]`, '    health: { path: /healthz, timeout: 30s }', '    database: postgres'];
  files['nexus.yaml'] = ['version: 1', 'apps:', ...app('todo', TODO), ...(withNotes ? app('notes', NOTES) : []),
    '  hello:', '    build: { context: hello }', '    port: 3000', `    domains: [${HELLO}]`, '    health: { path: /healthz }', manifestExtra, ''].join('\n');
  return files;
}

db.before(async (context) => {
  context.h = await createHarness({ interval: '2s', drain: '500ms' });
  await context.h.startAgent();
});

db.after(async (context) => {
  await context.h?.cleanup();
});

const postTodo = (h: Harness, text: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
  import('node:http').then(({ request }) => {
    const req = request({ host: '127.0.0.1', port: h.nginx.port, path: '/todos', method: 'POST', headers: { host: TODO, 'content-type': 'text/plain' } }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(text);
  }, reject);
});

async function todos(h: Harness): Promise<string[] | undefined> {
  const response = await h.viaNginx(TODO, '/todos').catch(() => undefined);
  if (response?.status !== 200) return undefined;
  return (JSON.parse(response.body) as { text: string }[]).map((row) => row.text);
}

async function appStatus(h: Harness, app: string) {
  return (await h.status()).repos[0]?.apps.find((item) => item.name === app);
}

/** DATABASE_URL of an app's running container, pointed at the platform Postgres's published loopback port. */
async function hostUrlOf(h: Harness, app: string): Promise<string> {
  const [info] = (await h.containers()).filter((item) => item.Labels['nexus.app'] === app && item.State === 'running');
  const env = (await docker.getContainer(info!.Id).inspect()).Config.Env;
  const url = new URL(env.find((entry) => entry.startsWith('DATABASE_URL='))!.slice('DATABASE_URL='.length));
  const pgInfo = await docker.getContainer(platformNames(h.repo).container).inspect();
  url.hostname = '127.0.0.1';
  url.port = pgInfo.NetworkSettings.Ports['5432/tcp']![0]!.HostPort;
  return url.toString();
}

db('apps with `database: postgres` get their own database; examples/todo-pg stores and lists todos through nginx', async (context) => {
  const { h } = context;
  context.files = await repoFiles();
  await h.push(context.files, 'todo-pg, notes and hello');
  await waitFor(async () => (await todos(h)) !== undefined, { timeoutMs: 240_000, intervalMs: 500, what: 'todo-pg served through nginx' });
  // Right after a reload an nginx worker of the previous generation may still take a new
  // connection and answer 404 for the brand-new domain; only that is retried (it never reached the app).
  const created = await waitFor(async () => {
    const answer = await postTodo(h, 'buy milk');
    return answer.status === 404 && answer.body.includes('<title>404 Not Found</title>') ? undefined : answer;
  }, { timeoutMs: 10_000, intervalMs: 200, what: 'nginx to route POST /todos' });
  assert.is(created.status, 201, created.body);
  assert.equal(await todos(h), ['buy milk']);
  await waitFor(async () => (await h.viaNginx(NOTES, '/todos').catch(() => undefined))?.status === 200, { timeoutMs: 120_000, intervalMs: 500, what: 'notes served' });
  assert.is((await h.viaNginx(HELLO)).status, 200);
});

db('isolation: with app A\'s credentials, connecting to app B\'s database fails', async ({ h }) => {
  const todoUrl = await hostUrlOf(h, 'todo');
  const notesUrl = await hostUrlOf(h, 'notes');
  assert.match(await tryQuery(todoUrl), /^ok \{"who":"nx_/);
  const intruder = new URL(todoUrl);
  intruder.pathname = new URL(notesUrl).pathname;
  assert.match(await tryQuery(intruder.toString()), /^error permission denied for database "nx_.*notes/);
  // And no role is a superuser: the admin database is as closed to the app as any other.
  assert.match(await tryQuery(todoUrl, 'SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user'), /"rolsuper":false,"rolcreatedb":false,"rolcreaterole":false/);
});

db('data survives a redeploy, an agent restart and a restart of the Postgres container', async ({ h, files }) => {
  const release = (await appStatus(h, 'todo'))!.release;
  await h.push({ ...files, 'server.js': `${files['server.js']!}\n// redeploy\n` }, 'todo: new release');
  await waitFor(async () => {
    const status = await appStatus(h, 'todo');
    return status?.release !== release && status?.sync === 'Synced';
  }, { timeoutMs: 120_000, intervalMs: 500, what: 'a new todo release' });
  assert.equal(await todos(h), ['buy milk']);

  await h.stopAgent();
  await h.startAgent();
  await waitFor(async () => (await appStatus(h, 'todo'))?.sync === 'Synced', { timeoutMs: 60_000, intervalMs: 500, what: 'todo Synced after the agent restart' });
  assert.equal(await todos(h), ['buy milk']);

  await docker.getContainer(platformNames(h.repo).container).restart({ t: 5 });
  await waitFor(async () => (await todos(h))?.includes('buy milk') === true, { timeoutMs: 60_000, intervalMs: 500, what: 'todos after the Postgres restart' });
  assert.is((await postTodo(h, 'walk dog')).status, 201);
  assert.equal(await todos(h), ['buy milk', 'walk dog']);
});

db('Postgres stopped: apps that need it report the reason, other apps are unaffected, and all recovers when it is back', async ({ h, files }) => {
  const container = platformNames(h.repo).container;
  await docker.getContainer(container).stop({ t: 5 });
  // While Postgres shuts down a cycle may see "does not answer" first; once stopped, the reason names the container.
  const held = await waitFor(async () => {
    const status = await appStatus(h, 'todo');
    return status?.held?.includes('is exited') ? status : undefined;
  }, { timeoutMs: 30_000, intervalMs: 250, what: 'todo held for its stopped database' });
  assert.match(held.held!, new RegExp(`todo needs its Postgres database, but the platform Postgres container ${container} is exited — start it with \`docker start ${container}\``));
  // Another app deploys meanwhile.
  const hello = await helloFiles((edit) => { edit['server.js'] = edit['server.js']!.replace('Hello from Nexus!', 'Hello while Postgres is down'); });
  await h.push({ ...files, 'hello/server.js': hello['server.js']! }, 'hello changes while Postgres is down');
  await waitFor(async () => (await h.viaNginx(HELLO)).body === 'Hello while Postgres is down\n', { timeoutMs: 120_000, intervalMs: 250, what: 'hello deployed while Postgres is down' });

  await docker.getContainer(container).start();
  await waitFor(async () => {
    const status = await appStatus(h, 'todo');
    return !status?.held && (await todos(h))?.length === 2;
  }, { timeoutMs: 90_000, intervalMs: 500, what: 'todo recovered' });
});

db('nexus db rotate: the old password stops working, the app gets the new one in a new release, data intact', async (context) => {
  const { h } = context;
  const oldUrl = await hostUrlOf(h, 'todo');
  const release = (await appStatus(h, 'todo'))!.release;
  const answer = await h.cli(['db', 'rotate', 'todo']);
  assert.is(answer.code, 0, answer.stderr);
  await waitFor(async () => {
    const status = await appStatus(h, 'todo');
    return status?.release !== release && status?.sync === 'Synced';
  }, { timeoutMs: 120_000, intervalMs: 500, what: 'a new release after rotation' });
  assert.match(await tryQuery(oldUrl), /^error password authentication failed/);
  assert.match(await tryQuery(await hostUrlOf(h, 'todo')), /^ok/);
  assert.equal(await todos(h), ['buy milk', 'walk dog']);
  context.oldUrl = oldUrl;
});

db('an app removed from the manifest is pruned, its database is kept and reported orphaned; only `nexus db drop` drops it', async ({ h }) => {
  const notesUrl = await hostUrlOf(h, 'notes');
  await h.push(await repoFiles('', false), 'notes removed');
  await waitFor(async () => (await h.containers()).every((item) => item.Labels['nexus.app'] !== 'notes'), { timeoutMs: 60_000, intervalMs: 250, what: 'notes pruned' });
  assert.match(await tryQuery(notesUrl), /^ok/, 'the database of a pruned app must survive');
  const report = await waitFor(async () => {
    const current = await h.status();
    return current.orphanedDatabases ? current : undefined;
  }, { timeoutMs: 30_000, intervalMs: 250, what: 'the orphaned database in /status' }).catch(async (error: Error) => {
    const current = await h.status();
    const saved = JSON.parse(await readFile(path.join(h.dataDir, 'state.json'), 'utf8')) as { databases?: object };
    throw new Error(`${error.message}; status: ${JSON.stringify({ error: current.repos[0]?.error, apps: current.repos[0]?.apps.map((app) => [app.name, app.sync, app.held]) })}; databases in state: ${Object.keys(saved.databases ?? {}).join(', ')}; keys ${Object.keys(current).join(',')}`);
  });
  assert.equal(report.orphanedDatabases?.map((item) => item.app), ['notes']);
  assert.match((await h.cli(['status'])).stdout, /orphaned database nx_.* of .*\/notes \(app removed; data kept\)/);

  const refused = await h.cli(['db', 'drop', 'notes']);
  assert.is(refused.code, 1);
  assert.match(refused.stderr, /run again with --yes/);
  const dropped = await h.cli(['db', 'drop', 'notes', '--yes']);
  assert.is(dropped.code, 0, dropped.stderr);
  assert.match(await tryQuery(notesUrl), /^error .*(does not exist|password authentication failed)/);
  assert.is((await h.status()).orphanedDatabases, undefined);
  // Asking to drop the database of an app that still wants it is refused.
  const busy = await h.cli(['db', 'drop', 'todo', '--yes']);
  assert.match(busy.stderr, /still asks for its database in nexus\.yaml/);
});

db('no database password appears in the agent log, /status or the state file', async ({ h, oldUrl }) => {
  const current = new URL(await hostUrlOf(h, 'todo')).password;
  const previous = new URL(oldUrl).password;
  const admin = JSON.parse(await readFile(path.join(h.dataDir, 'postgres-admin.json'), 'utf8')) as { password: string };
  const texts = [await h.agentLog(), JSON.stringify(await h.status()), await readFile(path.join(h.dataDir, 'state.json'), 'utf8')];
  for (const secret of [current, previous, admin.password].map(decodeURIComponent)) {
    for (const text of texts) assert.not.ok(text.includes(secret));
  }
  assert.is((await stat(path.join(h.dataDir, 'postgres-admin.json'))).mode & 0o777, 0o600);
});

db.run();
