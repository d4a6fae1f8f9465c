import cron, { type ScheduledTask } from 'node-cron';
import type { Trigger } from '../../state/index.ts';
import type { Logger } from '../log/index.ts';
import { describeError } from '../errors/index.ts';

export interface ScheduledRepo {
  name: string;
  /** node-cron expression with a seconds field. */
  cron: string;
}

/**
 * A cycle in two phases: the promise resolves once the cycle has planned
 * (and started its work), with `done` for the rest. A cycle that resolves
 * with nothing is done when it resolves.
 */
export type RunCycle = (repoNames: string[], trigger: Trigger) => Promise<{ done: Promise<unknown> } | void>;

export interface SchedulerOptions {
  repos: ScheduledRepo[];
  /** Runs one reconcile cycle that fetches the named repos. */
  runCycle: RunCycle;
  log: Logger;
}

export interface Scheduler {
  /** Starts the cron tasks and runs a first cycle for every repo. */
  start(): void;
  /** Asks for a cycle for some repos; resolves once a cycle that includes them has finished. Never lost, never run twice at once. */
  requestSync(repoNames: string[], trigger: Trigger): Promise<void>;
  /** Stops scheduling and waits for the cycles in progress (and their work) to finish. */
  stop(): Promise<void>;
}

/**
 * Cycles are planned one at a time: a request that arrives while a cycle
 * plans is queued (coalesced with others) and served by the next one, so no
 * request is dropped. The work a cycle starts (builds, deploys) may still
 * run when the next cycle plans — a long build of one repo must not keep
 * another repo's push waiting; the reconciler keeps one operation per app.
 * A request resolves when a cycle that includes it has finished its work.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const tasks: ScheduledTask[] = [];
  let pending = new Map<string, Trigger>();
  let waiters: (() => void)[] = [];
  let running: Promise<void> | undefined;
  const working = new Set<Promise<unknown>>();
  let stopped = false;

  async function drain(): Promise<void> {
    // A request naming no repo still waits for (and gets) a cycle: one that
    // fetches nothing but observes and repairs drift.
    while ((pending.size > 0 || waiters.length > 0) && !stopped) {
      const batch = pending;
      const batchWaiters = waiters;
      pending = new Map();
      waiters = [];
      const trigger = pickTrigger([...batch.values()]);
      let done: Promise<unknown> = Promise.resolve();
      try {
        const started = await options.runCycle([...batch.keys()], trigger);
        if (started) done = started.done;
      } catch (error) {
        options.log.error('reconcile cycle failed', { error: describeError(error) });
      }
      const finished = done.catch((error: unknown) => options.log.error('reconcile cycle failed', { error: describeError(error) }))
        .finally(() => {
          working.delete(finished);
          for (const resolve of batchWaiters) resolve();
        });
      working.add(finished);
    }
    running = undefined;
  }

  function enqueue(repoNames: string[], trigger: Trigger): Promise<void> {
    for (const name of repoNames) {
      const previous = pending.get(name);
      pending.set(name, previous ? pickTrigger([previous, trigger]) : trigger);
    }
    const done = new Promise<void>((resolve) => waiters.push(resolve));
    if (!running) running = drain();
    return done;
  }

  return {
    start() {
      for (const repo of options.repos) {
        tasks.push(cron.schedule(repo.cron, () => void enqueue([repo.name], 'poll'), { name: `poll-${repo.name}`, noOverlap: true }));
      }
      void enqueue(options.repos.map((repo) => repo.name), 'startup');
    },
    requestSync: (repoNames, trigger) => (stopped ? Promise.resolve() : enqueue(repoNames, trigger)),
    async stop() {
      stopped = true;
      for (const task of tasks) await task.destroy();
      await running;
      await Promise.all([...working]);
      for (const resolve of waiters) resolve();
    },
  };
}

/** When requests coalesce, the most explicit trigger names the cycle. */
function pickTrigger(triggers: Trigger[]): Trigger {
  const order: Trigger[] = ['manual', 'webhook', 'startup', 'poll'];
  return order.find((trigger) => triggers.includes(trigger)) ?? 'poll';
}
