import { formatDuration } from '../manifest/index.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Divisors of 60 below 60: the steps a cron field can repeat evenly. */
const STEPS = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30] as const;

/** Every poll interval a cron schedule can express, in milliseconds, ascending. */
export const ALLOWED_INTERVALS_MS: readonly number[] = [
  ...STEPS.map((s) => s * SECOND),
  ...STEPS.map((m) => m * MINUTE),
  HOUR,
];

/**
 * Turns a poll interval into a node-cron expression (six fields, seconds
 * first). Polls run on cron rather than setInterval so they line up on
 * wall-clock boundaries and survive a slow poll without drifting; the price
 * is that only intervals dividing a minute or an hour evenly exist.
 * Returns undefined for any other interval.
 */
export function intervalToCron(ms: number): string | undefined {
  if (!ALLOWED_INTERVALS_MS.includes(ms)) return undefined;
  if (ms === HOUR) return '0 0 * * * *';
  if (ms >= MINUTE) {
    const minutes = ms / MINUTE;
    return minutes === 1 ? '0 * * * * *' : `0 */${minutes} * * * *`;
  }
  const seconds = ms / SECOND;
  return seconds === 1 ? '* * * * * *' : `*/${seconds} * * * * *`;
}

/** The sentence shown for an interval cron cannot express, with the nearest one that works. */
export function intervalHint(ms: number): string {
  let nearest = ALLOWED_INTERVALS_MS[0] ?? SECOND;
  for (const allowed of ALLOWED_INTERVALS_MS) {
    if (Math.abs(allowed - ms) < Math.abs(nearest - ms)) nearest = allowed;
  }
  const steps = STEPS.join(', ').replace(/, (\d+)$/, ' or $1');
  return (
    'the agent polls on a cron schedule, so the interval must divide a minute or an hour evenly: ' +
    `${steps} seconds; ${steps} minutes; or 1h — the nearest is \`${formatDuration(nearest)}\``
  );
}
