/**
 * The Postgres state store against a real Postgres 15 (a throwaway cluster
 * on a loopback port): persistence, two agents sharing one state, build
 * logs, history trimming and the errors a user sees.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openPgStore, openStore, StateStoreUnavailableError, InvalidStateUrlError, type Deployment, type StateStore } from '../state/index.ts';
import { startPgCluster, type PgCluster } from './support/pg-cluster.ts';
import { freePort } from './support/nginx.ts';

const deployment = (id: string, app = 'web'): Deployment => ({
  id, repo: 'demo', app, revision: 'r', specHash: 's', trigger: 'poll', reason: 'x', status: 'success', startedAt: 'now',
});

const state = suite<{ cluster: PgCluster; stores: StateStore[]; databases: number }>('state-pg');

state.before(async (context) => {
  context.cluster = await startPgCluster();
  context.stores = [];
  context.databases = 0;
});

state.after.each(async (context) => {
  await Promise.all(context.stores.splice(0).map((store) => store.close().catch(() => undefined)));
});

state.after(async (context) => {
  await context.cluster?.stop();
});

/** A fresh database per test, so tests share nothing but the server. */
async function freshUrl(context: { cluster: PgCluster; databases: number }): Promise<string> {
  context.databases += 1;
  return context.cluster.createDatabase(`nexus_${context.databases}`);
}

async function open(context: { stores: StateStore[] }, url: string, namespace?: string): Promise<StateStore> {
  const store = await openPgStore(url, { namespace });
  context.stores.push(store);
  return store;
}

state('an update and a build log read back, and survive closing and reopening (a restart)', async (context) => {
  const url = await freshUrl(context);
  const first = await openPgStore(url);
  await first.update((data) => { data.deployments.push(deployment('d1')); });
  await first.update((data) => { data.failed['demo/web'] = { specHash: 's', revision: 'r', deploymentId: 'd1', message: 'm', at: 'now' }; });
  await first.writeBuildLog('d1', 'step 1\nstep 2\n');
  assert.equal(first.read().deployments.map((item) => item.id), ['d1']);
  assert.is(await first.readBuildLog('d1'), 'step 1\nstep 2\n');
  assert.is(await first.readBuildLog('nope'), undefined);
  await first.close();

  const reopened = await open(context, url);
  assert.equal(reopened.read().deployments, [deployment('d1')]);
  assert.is(reopened.read().failed['demo/web']?.message, 'm');
  assert.equal(reopened.read().pins, {});
  assert.is(await reopened.readBuildLog('d1'), 'step 1\nstep 2\n');
});

state('two stores on one URL each doing 50 concurrent updates lose none of them', async (context) => {
  const url = await freshUrl(context);
  const [a, b] = await Promise.all([open(context, url), open(context, url)]);
  // One app per deployment, so history trimming (50 per app) cannot hide a loss.
  const burst = (store: StateStore, name: string) => Array.from({ length: 50 }, (_, index) =>
    store.update((data) => { data.deployments.push(deployment(`${name}${index}`, `${name}${index}`)); }));
  await Promise.all([...burst(a!, 'a'), ...burst(b!, 'b')]);

  await Promise.all([a!.refresh(), b!.refresh()]);
  for (const store of [a!, b!]) {
    const ids = new Set(store.read().deployments.map((item) => item.id));
    assert.is(ids.size, 100);
    for (let index = 0; index < 50; index += 1) assert.ok(ids.has(`a${index}`) && ids.has(`b${index}`));
  }
  // Each store's own updates stay in the order it made them.
  const order = a!.read().deployments.map((item) => item.id).filter((id) => id.startsWith('a'));
  assert.equal(order, Array.from({ length: 50 }, (_, index) => `a${index}`));
});

state('refresh picks up what another agent wrote; an update starts from the freshest data', async (context) => {
  const url = await freshUrl(context);
  const a = await open(context, url);
  const b = await open(context, url);
  await b.update((data) => { data.repos.demo = { repo: 'demo', revision: 'abc' }; });
  assert.is(a.read().repos.demo, undefined);
  await a.refresh();
  assert.is(a.read().repos.demo?.revision, 'abc');

  await b.update((data) => { data.pins['demo/web'] = { deploymentId: 'd1', gitSpecHash: 'h', at: 'now' }; });
  // a has not refreshed, yet its update keeps b's pin: it is applied to the row, not to a's snapshot.
  await a.update((data) => { data.deployments.push(deployment('d2')); });
  assert.is(a.read().pins['demo/web']?.deploymentId, 'd1');
  await b.refresh();
  assert.equal(b.read().deployments.map((item) => item.id), ['d2']);
});

state('a change that throws leaves the state untouched and releases the row for the other agent', async (context) => {
  const url = await freshUrl(context);
  const a = await open(context, url);
  const b = await open(context, url);
  await a.update((data) => { data.deployments.push(deployment('d1')); });
  await a.update(() => { throw new Error('boom'); }).then(() => assert.unreachable(), (error: Error) => assert.is(error.message, 'boom'));
  await b.update((data) => { data.deployments.push(deployment('d2')); });
  await a.update((data) => { data.deployments.push(deployment('d3')); });
  assert.equal(a.read().deployments.map((item) => item.id), ['d1', 'd2', 'd3']);
});

state('history keeps the newest 50 per app and drops their build logs', async (context) => {
  const url = await freshUrl(context);
  const store = await open(context, url);
  await store.writeBuildLog('d0', 'log of the oldest');
  await store.writeBuildLog('d5', 'log of the oldest kept');
  await store.update((data) => {
    for (let index = 0; index < 55; index += 1) data.deployments.push(deployment(`d${index}`));
    data.deployments.push(deployment('other', 'api'));
  });
  const ids = store.read().deployments.map((item) => item.id);
  assert.is(ids.length, 51);
  assert.is(ids[0], 'd5');
  assert.ok(ids.includes('other'));
  assert.is(await store.readBuildLog('d0'), undefined);
  assert.is(await store.readBuildLog('d5'), 'log of the oldest kept');
});

state('namespaces in one database are separate states with separate build logs', async (context) => {
  const url = await freshUrl(context);
  const blue = await open(context, url, 'blue');
  const green = await open(context, url, 'green');
  await blue.update((data) => { data.deployments.push(deployment('d1')); });
  await blue.writeBuildLog('d1', 'blue log');
  await green.refresh();
  assert.equal(green.read().deployments, []);
  assert.is(await green.readBuildLog('d1'), undefined);
});

state('openStore: the JSON store without a url, Postgres with one, a clear error for another scheme', async (context) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'nexus-state-'));
  try {
    const json = await openStore({ dataDir });
    await json.update((data) => { data.deployments.push(deployment('j1')); });
    await json.close();
    assert.ok((await readdir(dataDir)).includes('state.json'));

    const url = await freshUrl(context);
    const viaOpen = await openStore({ dataDir, url: url.replace(/^postgres:/, 'postgresql:') });
    context.stores.push(viaOpen);
    await viaOpen.update((data) => { data.deployments.push(deployment('p1')); });
    const direct = await open(context, url);
    assert.equal(direct.read().deployments.map((item) => item.id), ['p1']);

    const error = await openStore({ dataDir, url: 'mysql://root:hunter2-secret@127.0.0.1/db' }).then(() => undefined, (err: unknown) => err);
    assert.instance(error, InvalidStateUrlError);
    assert.is((error as InvalidStateUrlError).code, 'INVALID_STATE_URL');
    assert.match((error as Error).message, /"mysql"/);
    assert.not.match((error as Error).message, /hunter2/);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

state('an unreachable server: an error naming host:port/db and what to do, without the password', async () => {
  const port = await freePort();
  const started = Date.now();
  const error = await openPgStore(`postgres://agent:s3cret-pw@127.0.0.1:${port}/nexus`).then(() => undefined, (err: unknown) => err);
  assert.ok(Date.now() - started < 5000, 'a refused connection fails at once');
  assert.instance(error, StateStoreUnavailableError);
  const unavailable = error as StateStoreUnavailableError;
  assert.is(unavailable.code, 'STATE_STORE_UNAVAILABLE');
  assert.equal({ host: unavailable.data.host, port: unavailable.data.port, database: unavailable.data.database }, { host: '127.0.0.1', port, database: 'nexus' });
  assert.match(unavailable.message, `127.0.0.1:${port}/nexus`);
  assert.match(unavailable.message, /connection refused — start Postgres there/);
  assert.not.match(unavailable.message, /s3cret-pw/);
  assert.not.match(JSON.stringify(unavailable.data), /s3cret-pw/);
});

state('a wrong password: the error says to check the credentials and does not quote them', async (context) => {
  const url = context.cluster.url().replace(context.cluster.password, 'wrong-pw-123');
  const error = await openPgStore(url).then(() => undefined, (err: unknown) => err);
  assert.instance(error, StateStoreUnavailableError);
  const message = (error as Error).message;
  assert.match(message, `127.0.0.1:${context.cluster.port}/postgres`);
  assert.match(message, /password authentication failed/);
  assert.match(message, /check the user and password/);
  assert.not.match(message, /wrong-pw-123/);
});

state('a missing database: the error says to create it', async (context) => {
  const error = await openPgStore(context.cluster.url('no_such_db')).then(() => undefined, (err: unknown) => err);
  assert.instance(error, StateStoreUnavailableError);
  assert.match((error as Error).message, /CREATE DATABASE no_such_db/);
  assert.not.match((error as Error).message, context.cluster.password);
});

state.run();
