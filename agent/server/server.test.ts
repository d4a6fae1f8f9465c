import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createApp } from './index.ts';
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

test.run();
