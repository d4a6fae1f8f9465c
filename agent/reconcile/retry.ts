/**
 * Transient failures — the Docker socket, nginx or a git server briefly
 * unreachable — are retried with exponential backoff; anything else (a
 * failing build, a failing health check, a rejected route) is a verdict
 * and is not. A transient failure is also never recorded as a failed spec,
 * so the next cycle tries again instead of holding the app.
 */
import { setTimeout as sleep } from 'node:timers/promises';

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'NGINX_UNAVAILABLE']);

/** Whether an error means "could not reach it" rather than "it said no". */
export function isTransient(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    const { code, statusCode, cause } = current as { code?: unknown; statusCode?: unknown; cause?: unknown };
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    // ENOENT on a socket path: dockerd is not running (yet).
    if (code === 'ENOENT' && /\.sock/.test(String((current as { address?: string }).address ?? (current as Error).message))) return true;
    // Docker answers 5xx when it is overloaded or shutting down; 4xx is a verdict.
    if (typeof statusCode === 'number' && statusCode >= 500 && /socket|daemon|timeout/i.test((current as Error).message ?? '')) return true;
    current = cause;
  }
  return false;
}

export interface RetryOptions {
  /** Total attempts, including the first. Default 3. */
  attempts?: number;
  /** Delay before the second attempt; doubles each time. Default 250 ms. */
  baseDelayMs?: number;
  /** Called before each retry (for a log line). */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** Runs `operation`, retrying transient failures with exponential backoff. */
export async function withRetry<T>(operation: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 3;
  const base = options.baseDelayMs ?? 250;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= attempts || !isTransient(error)) throw error;
      const delayMs = base * 2 ** (attempt - 1);
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs);
    }
  }
}

/** Runs tasks with at most `limit` at once; resolves with their results in order. */
export async function runLimited<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  return results;
}

