import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createJobs } from './jobs.ts';

test('20 requests within the window make one sync; every job gets the outcome', async () => {
  const syncs: string[][] = [];
  let counter = 0;
  const jobs = createJobs({
    sync: async (repos) => { syncs.push([...repos].sort()); },
    outcome: (repos) => repos.map((repo) => ({ repo, apps: [{ name: 'web', sync: 'Synced', health: 'Healthy' }] })),
    newId: () => `j${counter += 1}`,
    now: () => new Date(0),
    coalesceMs: 20,
  });
  const ids = Array.from({ length: 20 }, (_, index) => jobs.start([index % 2 ? 'shop' : 'blog'], 'webhook:github'));
  assert.is(jobs.get(ids[0]!)?.state, 'queued');
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(syncs, [['blog', 'shop']]);
  for (const id of ids) assert.is(jobs.get(id)?.state, 'done');
  assert.equal(jobs.get(ids[1]!)?.outcome?.map((item) => item.repo), ['shop']);
});

test('a request after the window starts another sync', async () => {
  let syncs = 0;
  const jobs = createJobs({ sync: async () => { syncs += 1; }, outcome: () => [], newId: () => Math.random().toString(36), now: () => new Date(0), coalesceMs: 5 });
  jobs.start(['shop'], 'manual');
  await new Promise((resolve) => setTimeout(resolve, 30));
  jobs.start(['shop'], 'manual');
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.is(syncs, 2);
});

test.run();
