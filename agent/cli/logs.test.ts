import { PassThrough } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DeploymentView } from '../server/index.ts';
import { runLogs, type BuildLogAnswer, type LogsOptions } from './logs.ts';

function answer(status: DeploymentView['status'], log: string, message?: string): BuildLogAnswer {
  const deployment = { id: 'd1abcdef', repo: 'demo', app: 'web', revision: 'abc1234567', specHash: 's', trigger: 'poll', reason: 'new revision', status, release: 'abc1234-d1abcd', startedAt: '2024-01-01T00:00:00.000Z', message } as DeploymentView;
  return { repo: 'demo', app: 'web', deployment, log };
}

/** Runs `nexus logs` against answers given in turn (the last one repeats). */
async function logs(options: Partial<LogsOptions>, answers: BuildLogAnswer[]) {
  const asked: string[] = [];
  const out = new PassThrough();
  const err = new PassThrough();
  const text = { out: '', err: '' };
  out.on('data', (chunk: Buffer) => (text.out += chunk.toString()));
  err.on('data', (chunk: Buffer) => (text.err += chunk.toString()));
  let turn = 0;
  const code = await runLogs({ config: 'unused.yaml', app: 'web', deployment: undefined, build: true, follow: false, ...options }, out, err, {
    fetchLog: async (app, id) => {
      asked.push(`${app} ${id}`);
      return answers[Math.min(turn++, answers.length - 1)]!;
    },
    sleep: async () => {},
  });
  return { code, asked, ...text };
}

test('without --build: a one-line usage error that says only build logs exist', async () => {
  const result = await logs({ build: false }, []);
  assert.is(result.code, 2);
  assert.is(result.err.trim().split('\n').length, 1);
  assert.match(result.err, /only build logs exist so far — add --build/);
  assert.equal(result.asked, []);
});

test('prints the stored log of the newest deployment, or of the one named', async () => {
  const newest = await logs({}, [answer('success', 'Step 1/2\nStep 2/2')]);
  assert.equal(newest.asked, ['web latest']);
  assert.is(newest.out, 'Step 1/2\nStep 2/2\n');
  const named = await logs({ deployment: 'abc1234-d1abcd' }, [answer('failed', '')]);
  assert.equal(named.asked, ['web abc1234-d1abcd']);
  assert.match(named.err, /demo\/web abc1234-d1abcd: no build output stored\n/);
});

test('-f prints only what is new until the deployment ends, then its outcome; exit 0 on success', async () => {
  const result = await logs({ follow: true }, [
    answer('building', 'Step 1/3\n'),
    answer('building', 'Step 1/3\nStep 2/3\n'),
    answer('building', 'Step 2/3\nStep 3/3\n'), // the start cut off by the cap
    answer('success', 'Step 2/3\nStep 3/3\nSuccessfully built'),
  ]);
  assert.is(result.code, 0);
  assert.is(result.out, 'Step 1/3\nStep 2/3\nStep 3/3\nSuccessfully built\ndemo/web abc1234-d1abcd: success\n');
  // After the first answer it follows that deployment by id, not "latest".
  assert.equal(result.asked, ['web latest', 'web d1abcdef', 'web d1abcdef', 'web d1abcdef']);
});

test('-f on a failed build ends with the failure message and exit 1', async () => {
  const result = await logs({ follow: true }, [answer('deploying', 'built\n'), answer('failed', 'built\n', 'health check failed: GET / answered 500 — see the app logs')]);
  assert.is(result.code, 1);
  assert.is(result.out, 'built\ndemo/web abc1234-d1abcd: failed — health check failed: GET / answered 500 — see the app logs\n');
});

test.run();
