import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isTransient, runLimited, withRetry } from './retry.ts';

const refused = Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), { code: 'ECONNREFUSED' });

test('unreachable services are transient; verdicts are not', () => {
  assert.ok(isTransient(refused));
  assert.ok(isTransient(Object.assign(new Error('x'), { code: 'NGINX_UNAVAILABLE' })));
  assert.ok(isTransient(new Error('fetch failed', { cause: refused })), 'a wrapped cause counts');
  assert.ok(isTransient(Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT' })));
  assert.not.ok(isTransient(Object.assign(new Error('no such image'), { statusCode: 404 })));
  assert.not.ok(isTransient(Object.assign(new Error('nginx rejected'), { code: 'NGINX_REJECTED' })));
  assert.not.ok(isTransient(new Error('health check failed')));
});

test('withRetry retries transient failures with doubling delays, then succeeds', async () => {
  const delays: number[] = [];
  let calls = 0;
  const result = await withRetry(async () => {
    calls += 1;
    if (calls < 3) throw refused;
    return 'ok';
  }, { baseDelayMs: 1, onRetry: (_error, _attempt, delay) => delays.push(delay) });
  assert.is(result, 'ok');
  assert.is(calls, 3);
  assert.equal(delays, [1, 2]);
});

test('withRetry gives up after the attempts and rethrows the last error', async () => {
  let calls = 0;
  const error = await withRetry(async () => { calls += 1; throw refused; }, { attempts: 4, baseDelayMs: 1 }).catch((caught: unknown) => caught);
  assert.is(error, refused);
  assert.is(calls, 4);
});

test('withRetry does not retry a verdict', async () => {
  let calls = 0;
  await withRetry(async () => { calls += 1; throw new Error('build failed'); }, { baseDelayMs: 1 }).catch(() => undefined);
  assert.is(calls, 1);
});

test('runLimited keeps order and never runs more than the limit at once', async () => {
  let active = 0;
  let peak = 0;
  const tasks = Array.from({ length: 10 }, (_, index) => async () => {
    active += 1;
    peak = Math.max(peak, active);
    await new Promise((resolve) => setTimeout(resolve, 5 + (index % 3)));
    active -= 1;
    return index;
  });
  assert.equal(await runLimited(tasks, 3), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.is(peak, 3);
});

test.run();
