/**
 * Fair concurrency limits between tenants. A plain first-come queue lets a
 * repo that asks for 40 builds at once hold every slot for hours; here
 * waiting work is served round-robin by group (repo), and one group never
 * holds more than `perGroup` slots, so another repo always has a slot
 * within one task's time.
 */

export interface FairLimiter {
  /** Runs `task` once a slot is free for `group`; the slot is released when it settles. */
  run<T>(group: string, task: () => Promise<T>): Promise<T>;
}

export interface FairLimiterOptions {
  /** Slots one group may hold at once. Default: all but one (with at least one). */
  perGroup?: number;
}

/** A limiter of `limit` slots in all, served round-robin between groups. */
export function createFairLimiter(limit: number, options: FairLimiterOptions = {}): FairLimiter {
  const perGroup = Math.max(1, Math.min(limit, options.perGroup ?? limit - 1));
  let active = 0;
  const activeByGroup = new Map<string, number>();
  // Groups with waiting work, in the order they are served next.
  const waiting = new Map<string, (() => void)[]>();

  const canStart = (group: string) => active < limit && (activeByGroup.get(group) ?? 0) < perGroup;
  const take = (group: string) => {
    active += 1;
    activeByGroup.set(group, (activeByGroup.get(group) ?? 0) + 1);
  };

  // Hands free slots to waiting groups, one task per group per round.
  function dispatch(): void {
    let progressed = true;
    while (progressed && active < limit) {
      progressed = false;
      for (const [group, queue] of [...waiting]) {
        if (!canStart(group)) continue;
        const next = queue.shift()!;
        // Served: to the back of the round.
        waiting.delete(group);
        if (queue.length > 0) waiting.set(group, queue);
        take(group);
        next();
        progressed = true;
        if (active >= limit) break;
      }
    }
  }

  return {
    async run(group, task) {
      if (canStart(group) && waiting.size === 0) take(group);
      else {
        // The slot is handed over before the waiter runs, so nobody can take it in between.
        await new Promise<void>((resolve) => {
          waiting.set(group, [...(waiting.get(group) ?? []), resolve]);
          dispatch();
        });
      }
      try {
        return await task();
      } finally {
        active -= 1;
        const left = (activeByGroup.get(group) ?? 1) - 1;
        if (left === 0) activeByGroup.delete(group);
        else activeByGroup.set(group, left);
        dispatch();
      }
    },
  };
}
