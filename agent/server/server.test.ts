import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createApp } from './index.ts';
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

test('POST /sync asks for a sync of the named repo; an unknown repo is a 404', async () => {
  const syncs: (string | undefined)[] = [];
  assert.is((await app(syncs).request('/sync?repo=demo', { method: 'POST' })).status, 200);
  const missing = await app(syncs).request('/sync?repo=nope', { method: 'POST' });
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

test.run();
