import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { silentLogger } from '../log/index.ts';
import { emptyState, type Deployment, type StateData, type StateStore } from '../../state/index.ts';
import { createOperations } from './operations.ts';

function deployment(id: string, app: string, release: string): Deployment {
  return { id, repo: 'demo', app, revision: 'abc1234567', specHash: 's', trigger: 'poll', reason: 'r', status: 'success', release, startedAt: '2024-01-01T00:00:00.000Z' };
}

function operations() {
  // Oldest first, as the store keeps them.
  const state: StateData = { ...emptyState(), deployments: [deployment('aa11', 'web', 'rel-1'), deployment('ab22', 'web', 'rel-2'), deployment('cc33', 'api', 'rel-3'), deployment('ac44', 'web', 'rel-4')] };
  const logs: Record<string, string> = { aa11: 'log of aa11\n', ac44: 'log of ac44\n' };
  const store = {
    read: () => state, refresh: async () => {}, close: async () => {}, update: async () => {},
    writeBuildLog: async () => {}, readBuildLog: async (id: string) => logs[id],
  } as StateStore;
  return createOperations({ store, log: silentLogger, now: () => new Date(0), snapshot: () => undefined, serving: () => undefined, knownApps: () => [] });
}

test('buildLog: "latest" is the newest deployment of that app, with its stored log', async () => {
  const { deployment: found, log } = await operations().buildLog('demo', 'web', 'latest');
  assert.is(found.id, 'ac44');
  assert.is(log, 'log of ac44\n');
});

test('buildLog: by id, release or unique id prefix; no stored log is an empty one', async () => {
  const ops = operations();
  assert.is((await ops.buildLog('demo', 'web', 'aa11')).deployment.id, 'aa11');
  assert.is((await ops.buildLog('demo', 'web', 'rel-2')).deployment.id, 'ab22');
  assert.equal(await ops.buildLog('demo', 'web', 'ab'), { deployment: deployment('ab22', 'web', 'rel-2'), log: '' });
});

test('buildLog: an ambiguous prefix, another app\'s deployment or none at all is DEPLOYMENT_NOT_FOUND naming nexus history', async () => {
  const ops = operations();
  for (const [app, id] of [['web', 'a'], ['web', 'cc33'], ['worker', 'latest']] as const) {
    try {
      await ops.buildLog('demo', app, id);
      assert.unreachable(`${app} ${id} should not be found`);
    } catch (error) {
      assert.is((error as { code?: string }).code, 'DEPLOYMENT_NOT_FOUND');
      assert.match((error as Error).message, `\`nexus history ${app}\``);
    }
  }
});

test.run();
