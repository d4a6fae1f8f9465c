/**
 * applyActions with recording drivers (pure scheduling logic: which action
 * runs when). The real drivers are exercised in test/reconcile.test.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { silentLogger } from '../log/index.ts';
import { emptyState, type StateData } from '../../state/index.ts';
import { applyActions } from './apply.ts';
import type { DeployContext } from './cutover.ts';
import type { Action } from './plan.ts';

function context(removeContainer: (id: string) => Promise<void>) {
  let state: StateData = { ...emptyState(), pins: { 'r/a': { deploymentId: 'd', gitSpecHash: 'h', at: 't' } } };
  const ctx = {
    runtime: { removeContainer, listManaged: async () => [], startRelease: async () => { throw new Error('unused'); }, runState: async () => ({ running: true, detail: '' }) },
    proxy: { listRoutes: async () => [], writeRoute: async () => {}, removeRoute: async () => {} },
    store: {
      read: () => state, refresh: async () => {}, close: async () => {},
      update: async (change: (draft: StateData) => void) => { const next = structuredClone(state); change(next); state = next; },
      writeBuildLog: async () => {}, readBuildLog: async () => undefined,
    },
    log: silentLogger,
  } as unknown as DeployContext;
  return { ctx, state: () => state };
}

const remove = (app: string, id: string): Action => ({
  kind: 'remove-container', repo: 'r', app, reason: 'test',
  container: { id, name: id, repo: 'r', app, revision: 'x', specHash: 'x', release: id, state: 'running', image: 'i', drift: [] },
});

test('apps run in parallel up to the limit; one app never has two operations at once', async () => {
  const activeByApp = new Map<string, number>();
  let active = 0;
  let peak = 0;
  let appOverlap = false;
  const { ctx } = context(async (id) => {
    const app = id.split('-')[0]!;
    activeByApp.set(app, (activeByApp.get(app) ?? 0) + 1);
    if (activeByApp.get(app)! > 1) appOverlap = true;
    active += 1;
    peak = Math.max(peak, active);
    await new Promise((resolve) => setTimeout(resolve, 10));
    active -= 1;
    activeByApp.set(app, activeByApp.get(app)! - 1);
  });
  const actions = ['a', 'b', 'c', 'd', 'e'].flatMap((app) => [remove(app, `${app}-1`), remove(app, `${app}-2`)]);
  const outcomes = await applyActions(actions, ctx, { trigger: 'poll', parallel: 2 });
  assert.is(outcomes.length, 10);
  assert.ok(outcomes.every((outcome) => outcome.ok));
  assert.is(peak, 2);
  assert.not.ok(appOverlap);
});

test('a failed action stops the rest of its app, never another app', async () => {
  const done: string[] = [];
  const { ctx } = context(async (id) => {
    if (id === 'a-1') throw new Error('no such container');
    done.push(id);
  });
  const outcomes = await applyActions([remove('a', 'a-1'), remove('a', 'a-2'), remove('b', 'b-1')], ctx, { trigger: 'poll', parallel: 4 });
  assert.equal(done, ['b-1']);
  assert.equal(outcomes.map((outcome) => `${outcome.action.app}:${outcome.ok}`), ['a:false', 'b:true']);
  assert.match(outcomes[0]!.message!, /no such container/);
});

test('a transient failure is retried with backoff inside the action', async () => {
  let calls = 0;
  const { ctx } = context(async () => {
    calls += 1;
    if (calls === 1) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  });
  const [outcome] = await applyActions([remove('a', 'a-1')], ctx, { trigger: 'poll', parallel: 1, retryBaseMs: 1 });
  assert.ok(outcome!.ok);
  assert.is(calls, 2);
});

test('unpin removes the pin from the store', async () => {
  const { ctx, state } = context(async () => {});
  await applyActions([{ kind: 'unpin', repo: 'r', app: 'a', reason: 'new commit' }], ctx, { trigger: 'poll', parallel: 1 });
  assert.equal(state().pins, {});
});

test.run();
