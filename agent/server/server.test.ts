import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createApp, type DeploymentView } from './index.ts';
import { NexusError } from '../errors/index.ts';
import { AppNotFoundError } from '../reconcile/index.ts';
import type { StatusReport } from '../reconcile/index.ts';

const report: StatusReport = { repos: [{ name: 'demo', url: 'http://127.0.0.1/demo.git', branch: 'main', apps: [] }] };

function app(syncs: (string | undefined)[] = []) {
  return createApp({
    status: () => report,
    async sync(repo) {
      syncs.push(repo);
      return repo === 'nope' ? { ok: false, message: 'no repo named nope' } : { ok: true, message: 'synced' };
    },
  });
}

test('GET /healthz answers ok', async () => {
  const response = await app().request('/healthz');
  assert.is(response.status, 200);
  assert.equal(await response.json(), { ok: true });
});

test('GET /status answers the report as JSON', async () => {
  const response = await app().request('/status');
  assert.is(response.headers.get('content-type')?.startsWith('application/json'), true);
  assert.equal(await response.json(), report);
});

test('POST /sync needs the token, then asks for a sync of the named repo; an unknown repo is a 404', async () => {
  const syncs: (string | undefined)[] = [];
  const withToken = (list: (string | undefined)[]) => createApp({ token: 'tok', status: () => report, async sync(repo) { list.push(repo); return repo === 'nope' ? { ok: false, message: 'no repo named nope' } : { ok: true, message: 'synced' }; } });
  assert.is((await withToken(syncs).request('/sync?repo=demo', { method: 'POST' })).status, 401);
  assert.equal(syncs, [], 'an unauthenticated request synced');
  const auth = { method: 'POST', headers: { authorization: 'Bearer tok' } };
  assert.is((await withToken(syncs).request('/sync?repo=demo', auth)).status, 200);
  const missing = await withToken(syncs).request('/sync?repo=nope', auth);
  assert.is(missing.status, 404);
  assert.equal(syncs, ['demo', 'nope']);
});

test('GET /sync is not allowed', async () => {
  assert.is((await app().request('/sync')).status, 404);
});

// --- /api ----------------------------------------------------------------------

function apiApp(calls: string[] = []) {
  return createApp({
    status: () => ({ repos: [{ name: 'demo', url: 'http://127.0.0.1/demo.git', branch: 'main', error: 'leaked hunter2-secret here', apps: [] }] }),
    sync: async () => ({ ok: true, message: 'synced' }),
    token: 'the-token',
    redact: (value) => JSON.parse(JSON.stringify(value).replaceAll('hunter2-secret', '[redacted]')),
    async rollback(app, to) {
      calls.push(`rollback ${app} ${to}`);
      if (app === 'nope') throw new AppNotFoundError('nope', ['demo/web']);
      return { repo: 'demo', app, deployment: { id: 'd1' } as never, message: 'rolled back' };
    },
    async setSecret(app, name, value) {
      calls.push(`secret ${app} ${name} ${value.length}`);
      return { message: 'stored' };
    },
  });
}

const auth = { authorization: 'Bearer the-token', 'content-type': 'application/json' };

test('mutating /api routes need the token', async () => {
  const calls: string[] = [];
  const app = apiApp(calls);
  const noToken = await app.request('/api/apps/web/rollback', { method: 'POST' });
  assert.is(noToken.status, 401);
  const wrong = await app.request('/api/apps/web/rollback', { method: 'POST', headers: { authorization: 'Bearer nope' } });
  assert.is(wrong.status, 401);
  const secret = await app.request('/api/apps/web/secrets/KEY', { method: 'PUT', body: JSON.stringify({ value: 'v' }) });
  assert.is(secret.status, 401);
  assert.equal(calls, []);
});

test('rollback passes app (repo/app encoded) and target; an unknown app is a 404 with the message', async () => {
  const calls: string[] = [];
  const app = apiApp(calls);
  const ok = await app.request('/api/apps/demo%2Fweb/rollback', { method: 'POST', headers: auth, body: JSON.stringify({ to: 'abc' }) });
  assert.is(ok.status, 200);
  assert.equal(calls, ['rollback demo/web abc']);
  const missing = await app.request('/api/apps/nope/rollback', { method: 'POST', headers: auth, body: '{}' });
  assert.is(missing.status, 404);
  assert.match(((await missing.json()) as { error: string }).error, /no app "nope" — known apps: demo\/web/);
});

test('a secret is accepted only as a non-empty JSON value and never echoed', async () => {
  const calls: string[] = [];
  const app = apiApp(calls);
  const bad = await app.request('/api/apps/web/secrets/KEY', { method: 'PUT', headers: auth, body: 'raw' });
  assert.is(bad.status, 400);
  const ok = await app.request('/api/apps/web/secrets/KEY', { method: 'PUT', headers: auth, body: JSON.stringify({ value: 'hunter2-secret' }) });
  assert.is(ok.status, 200);
  assert.not.ok((await ok.text()).includes('hunter2'));
  assert.equal(calls, ['secret web KEY 14']);
});

test('every JSON answer passes the redactor', async () => {
  const body = await (await apiApp().request('/status')).text();
  assert.match(body, /leaked \[redacted\] here/);
  assert.not.ok(body.includes('hunter2-secret'));
});

// --- build logs ------------------------------------------------------------------

function logApp(calls: string[] = []) {
  const deployments: DeploymentView[] = [
    { id: 'd2-newest', repo: 'demo', app: 'web', revision: 'bbbbbbb111', specHash: 's2', trigger: 'poll', reason: 'new revision', status: 'building', release: 'bbbbbbb-d2newe', startedAt: '2024-01-02T00:00:00.000Z' },
    { id: 'd1-older', repo: 'demo', app: 'web', revision: 'aaaaaaa111', specHash: 's1', trigger: 'poll', reason: 'first deploy', status: 'success', release: 'aaaaaaa-d1olde', startedAt: '2024-01-01T00:00:00.000Z' },
  ];
  return createApp({
    status: () => report,
    sync: async () => ({ ok: true, message: 'synced' }),
    token: 'the-token',
    redact: (value) => JSON.parse(JSON.stringify(value).replaceAll('hunter2-secret', '[redacted]')),
    async buildLog(app, id) {
      calls.push(`log ${app} ${id}`);
      if (app === 'nope') throw new AppNotFoundError('nope', ['demo/web']);
      const deployment = id === 'latest' ? deployments[0] : deployments.find((item) => item.id.startsWith(id));
      if (!deployment) throw new NexusError('DEPLOYMENT_NOT_FOUND', `no deployment "${id}" of demo/web — \`nexus history web\` lists its deployments`, {});
      return { repo: 'demo', app: 'web', deployment, log: `Step 1/2 of ${deployment.id}\nleaked hunter2-secret\n` };
    },
  });
}

test('GET a deployment\'s build log: no token needed, redacted, repo/app encoded', async () => {
  const calls: string[] = [];
  const response = await logApp(calls).request('/api/apps/demo%2Fweb/deployments/d1/log');
  assert.is(response.status, 200);
  const body = (await response.json()) as { repo: string; app: string; deployment: DeploymentView; log: string };
  assert.is(body.deployment.id, 'd1-older');
  assert.is(body.log, 'Step 1/2 of d1-older\nleaked [redacted]\n');
  assert.equal(calls, ['log demo/web d1']);
});

test('"latest" names the newest deployment', async () => {
  const response = await logApp().request('/api/apps/web/deployments/latest/log');
  assert.is(response.status, 200);
  assert.is(((await response.json()) as { deployment: DeploymentView }).deployment.id, 'd2-newest');
});

test('an unknown deployment or app is a 404 whose message says how to list deployments', async () => {
  const missing = await logApp().request('/api/apps/web/deployments/zzz/log');
  assert.is(missing.status, 404);
  const body = (await missing.json()) as { error: string; code: string };
  assert.is(body.code, 'DEPLOYMENT_NOT_FOUND');
  assert.match(body.error, /nexus history web/);
  assert.is((await logApp().request('/api/apps/nope/deployments/latest/log')).status, 404);
});

test('the build log route is off without the handler', async () => {
  assert.is((await app().request('/api/apps/web/deployments/latest/log')).status, 501);
});

test.run();
