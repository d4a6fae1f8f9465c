import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { silentLogger } from '../log/index.ts';
import { createScheduler } from './index.ts';

/** A cycle function that records its calls and can be held open. */
function recorder() {
  const calls: { repos: string[]; trigger: string }[] = [];
  let active = 0;
  let maxActive = 0;
  let release: () => void = () => {};
  let gate = Promise.resolve();
  return {
    calls,
    get maxActive() { return maxActive; },
    hold() { gate = new Promise((resolve) => { release = resolve; }); },
    release: () => release(),
    async runCycle(repos: string[], trigger: string) {
      active += 1;
      maxActive = Math.max(maxActive, active);
      calls.push({ repos: [...repos].sort(), trigger });
      await gate;
      active -= 1;
    },
  };
}

test('requests during a cycle are queued, coalesced, and never run at once', async () => {
  const cycles = recorder();
  const scheduler = createScheduler({ repos: [], runCycle: cycles.runCycle, log: silentLogger });
  cycles.hold();
  const first = scheduler.requestSync(['a'], 'poll');
  await new Promise((resolve) => setImmediate(resolve));
  const second = scheduler.requestSync(['b'], 'poll');
  const third = scheduler.requestSync(['a', 'b'], 'manual');
  cycles.release();
  await Promise.all([first, second, third]);
  assert.equal(cycles.calls, [{ repos: ['a'], trigger: 'poll' }, { repos: ['a', 'b'], trigger: 'manual' }]);
  assert.is(cycles.maxActive, 1);
  await scheduler.stop();
});

test('a failing cycle does not stop later ones', async () => {
  let runs = 0;
  const scheduler = createScheduler({
    repos: [], log: silentLogger,
    async runCycle() { runs += 1; if (runs === 1) throw new Error('docker unreachable'); },
  });
  await scheduler.requestSync(['a'], 'poll');
  await scheduler.requestSync(['a'], 'poll');
  assert.is(runs, 2);
  await scheduler.stop();
});

test('stop waits for the cycle in progress, and later requests are ignored', async () => {
  const cycles = recorder();
  const scheduler = createScheduler({ repos: [], runCycle: cycles.runCycle, log: silentLogger });
  cycles.hold();
  void scheduler.requestSync(['a'], 'poll');
  await new Promise((resolve) => setImmediate(resolve));
  let stopped = false;
  const stopping = scheduler.stop().then(() => { stopped = true; });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.is(stopped, false, 'stop returned while a cycle was running');
  cycles.release();
  await stopping;
  await scheduler.requestSync(['a'], 'poll');
  assert.is(cycles.calls.length, 1);
});

test('start schedules every repo and runs a first cycle for all of them', async () => {
  const cycles = recorder();
  const scheduler = createScheduler({ repos: [{ name: 'a', cron: '0 0 1 1 *' }, { name: 'b', cron: '0 0 1 1 *' }], runCycle: cycles.runCycle, log: silentLogger });
  scheduler.start();
  await scheduler.requestSync([], 'poll');
  assert.equal(cycles.calls[0], { repos: ['a', 'b'], trigger: 'startup' });
  await scheduler.stop();
});

test('a cycle whose work is still running does not hold up the next one; each request waits for its own work', async () => {
  let releaseSlow: () => void = () => {};
  const slowWork = new Promise<void>((resolve) => { releaseSlow = resolve; });
  const planned: string[] = [];
  const scheduler = createScheduler({
    repos: [], log: silentLogger,
    async runCycle(repos) {
      planned.push(repos.join(','));
      return { done: repos.includes('slow') ? slowWork : Promise.resolve() };
    },
  });
  let slowDone = false;
  const slow = scheduler.requestSync(['slow'], 'poll').then(() => { slowDone = true; });
  await new Promise((resolve) => setImmediate(resolve));
  await scheduler.requestSync(['fast'], 'webhook');
  assert.equal(planned, ['slow', 'fast']);
  assert.is(slowDone, false, 'the slow request resolved before its work finished');
  let stopped = false;
  const stopping = scheduler.stop().then(() => { stopped = true; });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.is(stopped, false, 'stop returned while work was running');
  releaseSlow();
  await Promise.all([slow, stopping]);
  assert.is(slowDone, true);
});

test.run();
