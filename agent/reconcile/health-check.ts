import http from 'node:http';
import { NexusError } from '../errors/index.ts';

export class HealthCheckFailedError extends NexusError<'HEALTH_CHECK_FAILED', { path: string; timeoutMs: number; last: string }> {
  constructor(path: string, timeoutMs: number, last: string) {
    super(
      'HEALTH_CHECK_FAILED',
      `health check GET ${path} did not answer 2xx/3xx within ${timeoutMs / 1000}s (last: ${last}) — make the app answer on health.path, or raise health.timeout`,
      { path, timeoutMs, last },
    );
  }
}

export interface HealthTarget {
  hostPort: number;
  path: string;
  timeoutMs: number;
  /** Called between probes; a container that died fails the check at once. */
  stillRunning: () => Promise<{ running: boolean; detail: string }>;
}

const PROBE_INTERVAL_MS = 250;
const PROBE_TIMEOUT_MS = 2_000;

/** Probes the app through its loopback port until it answers 2xx/3xx or the timeout passes. */
export async function waitUntilHealthy(target: HealthTarget): Promise<void> {
  const deadline = Date.now() + target.timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const answer = await probe(target.hostPort, target.path);
    if (answer.ok) return;
    last = answer.detail;
    const state = await target.stillRunning();
    if (!state.running) throw new HealthCheckFailedError(target.path, target.timeoutMs, `container stopped: ${state.detail}`);
    await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
  }
  throw new HealthCheckFailedError(target.path, target.timeoutMs, last);
}

function probe(port: number, path: string): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: PROBE_TIMEOUT_MS }, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      resolve({ ok: status >= 200 && status < 400, detail: `HTTP ${status}` });
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', (error) => resolve({ ok: false, detail: error.message }));
  });
}
