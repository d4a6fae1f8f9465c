import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openJsonStore } from './json-store.ts';
import type { Deployment } from './model.ts';

const deployment = (id: string, app = 'web'): Deployment => ({
  id, repo: 'demo', app, revision: 'r', specHash: 's', trigger: 'poll', reason: 'x', status: 'success', startedAt: 'now',
});

test('updates survive a reopen, and no temp file is left behind', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'nexus-state-'));
  try {
    const store = await openJsonStore(dir);
    await store.update((state) => { state.deployments.push(deployment('d1')); });
    await store.update((state) => { state.failed['demo/web'] = { specHash: 's', revision: 'r', deploymentId: 'd1', message: 'm', at: 'now' }; });
    const reopened = await openJsonStore(dir);
    assert.equal(reopened.read().deployments.map((item) => item.id), ['d1']);
    assert.is(reopened.read().failed['demo/web']?.message, 'm');
    assert.equal((await readdir(dir)).sort(), ['build-logs', 'state.json']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('concurrent updates are serialised, none is lost', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'nexus-state-'));
  try {
    const store = await openJsonStore(dir);
    await Promise.all(Array.from({ length: 20 }, (_, index) => store.update((state) => { state.deployments.push(deployment(`d${index}`)); })));
    const saved = JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8'));
    assert.is(saved.deployments.length, 20);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a failed change leaves the state untouched and later updates work', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'nexus-state-'));
  try {
    const store = await openJsonStore(dir);
    await store.update((state) => { state.deployments.push(deployment('d1')); }).catch(() => undefined);
    await store.update(() => { throw new Error('boom'); }).then(() => assert.unreachable(), (error: Error) => assert.is(error.message, 'boom'));
    await store.update((state) => { state.deployments.push(deployment('d2')); });
    assert.equal(store.read().deployments.map((item) => item.id), ['d1', 'd2']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('history keeps the newest 50 per app and drops their build logs', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'nexus-state-'));
  try {
    const store = await openJsonStore(dir);
    await store.writeBuildLog('d0', 'log of the oldest');
    await store.update((state) => {
      for (let index = 0; index < 55; index += 1) state.deployments.push(deployment(`d${index}`));
      state.deployments.push(deployment('other', 'api'));
    });
    const ids = store.read().deployments.map((item) => item.id);
    assert.is(ids.length, 51);
    assert.is(ids[0], 'd5');
    assert.ok(ids.includes('other'));
    assert.is(await store.readBuildLog('d0'), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
