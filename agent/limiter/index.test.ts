import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createFairLimiter } from './index.ts';

/** A task that records when it starts and waits until released. */
function gate() {
  const started: string[] = [];
  const releases = new Map<string, () => void>();
  const task = (name: string) => () => new Promise<void>((resolve) => {
    started.push(name);
    releases.set(name, resolve);
  });
  const release = async (name: string) => {
    releases.get(name)!();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { started, task, release };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('a group that asks for many slots leaves one for another group', async () => {
  const limiter = createFairLimiter(2);
  const { started, task, release } = gate();
  const greedy = Array.from({ length: 5 }, (_, index) => limiter.run('greedy', task(`g${index}`)));
  await tick();
  assert.equal(started, ['g0'], 'one group holds at most limit - 1 slots');
  const other = limiter.run('other', task('o0'));
  await tick();
  assert.equal(started, ['g0', 'o0'], 'the other group starts at once');
  await release('g0');
  assert.equal(started, ['g0', 'o0', 'g1']);
  await release('o0');
  await release('g1');
  for (const name of ['g2', 'g3', 'g4']) await release(name);
  await Promise.all([...greedy, other]);
  assert.equal(started, ['g0', 'o0', 'g1', 'g2', 'g3', 'g4']);
});

test('waiting groups are served round-robin, never more than the limit at once', async () => {
  const limiter = createFairLimiter(3, { perGroup: 3 });
  let active = 0;
  let peak = 0;
  const order: string[] = [];
  const work = (name: string) => async () => {
    active += 1;
    peak = Math.max(peak, active);
    order.push(name);
    await tick();
    active -= 1;
  };
  await Promise.all([
    ...['a1', 'a2', 'a3', 'a4', 'a5'].map((name) => limiter.run('a', work(name))),
    ...['b1', 'b2'].map((name) => limiter.run('b', work(name))),
    limiter.run('c', work('c1')),
  ]);
  assert.is(peak, 3);
  // a takes the free slots first; from then on, waiting groups alternate.
  assert.equal(order.slice(0, 3), ['a1', 'a2', 'a3']);
  assert.ok(order.indexOf('b1') < order.indexOf('a5') && order.indexOf('c1') < order.indexOf('a5'), order.join(' '));
});

test('a failing task frees its slot', async () => {
  const limiter = createFairLimiter(1);
  await limiter.run('a', async () => { throw new Error('boom'); }).catch(() => undefined);
  assert.is(await limiter.run('a', async () => 'ran'), 'ran');
});

test.run();
