/**
 * The agent on the shared Postgres state store (state.urlEnv): history,
 * failed revisions and pins live in Postgres, not in the data folder, and
 * survive the agent's restart — a second agent process with the same name
 * and URL sees the same history. Real agent process, real Postgres cluster.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHarness, helloFiles, type Harness } from './support/agent-harness.ts';
import { startPgCluster, type PgCluster } from './support/pg-cluster.ts';
import { waitFor } from './support/http.ts';

const HOST = 'hello.nexus.localhost';
const shared = suite<{ h: Harness; cluster: PgCluster; url: string }>('state-shared');

shared.before(async (context) => {
  context.cluster = await startPgCluster();
  await context.cluster.createDatabase('nexus_state');
  context.url = context.cluster.url('nexus_state');
  context.h = await createHarness({ interval: '2s', drain: '300ms', stateUrlEnv: { name: 'NEXUS_TEST_STATE_URL', value: context.url } });
  await context.h.startAgent();
});

shared.after(async (context) => {
  await context.h?.cleanup();
  await context.cluster?.stop();
});

shared('deployment history is kept in Postgres (no state.json), and a restarted agent reads it back', async ({ h, url }) => {
  await h.push(await helloFiles(), 'hello v1');
  await waitFor(async () => (await h.viaNginx(HOST).catch(() => undefined))?.status === 200, { timeoutMs: 120_000, intervalMs: 250, what: 'hello served' });
  const before = JSON.parse((await h.cli(['history', 'hello', '--json'])).stdout) as { deployments: { id: string; status: string }[] };
  assert.is(before.deployments[0]?.status, 'success');
  assert.not.ok(await access(path.join(h.dataDir, 'state.json')).then(() => true, () => false), 'no state.json with a Postgres store');

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ namespace: string; data: { deployments: { id: string }[] } }>('SELECT namespace, data FROM nexus_state');
    assert.equal(rows.map((row) => row.namespace), [h.repo]);
    assert.ok(rows[0]!.data.deployments.some((item) => item.id === before.deployments[0]!.id));
  } finally {
    await client.end();
  }

  await h.stopAgent();
  await h.startAgent();
  const after = JSON.parse((await h.cli(['history', 'hello', '--json'])).stdout) as { deployments: { id: string }[] };
  assert.equal(after.deployments.map((item) => item.id), before.deployments.map((item) => item.id));
});

shared.run();
