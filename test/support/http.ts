/** Small HTTP and polling helpers for integration tests. */
import http from 'node:http';

export interface HttpResult {
  status: number;
  body: string;
  headers?: http.IncomingHttpHeaders;
}

export interface HttpGetOptions {
  /** Host header to send (to pick an nginx server block); defaults to the URL's host. */
  host?: string;
  timeoutMs?: number;
}

/**
 * GETs `url` on a fresh connection (agent: false), so a reloaded nginx or a
 * replaced container is never hidden behind a kept-alive socket.
 */
export function httpGet(url: string, opts: HttpGetOptions = {}): Promise<HttpResult> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const headers = opts.host ? { host: opts.host } : undefined;
    const req = http.get(url, { agent: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

export interface WaitForOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** What is awaited, for the error message ("nginx to serve app.test"). */
  what: string;
}

/**
 * Calls `fn` until it returns a truthy value and returns that value. Errors
 * thrown by `fn` count as "not yet"; the last one is quoted on timeout.
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  opts: WaitForOptions,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + opts.timeoutMs;
  const intervalMs = opts.intervalMs ?? 100;
  let last: string = 'never returned a truthy value';
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as NonNullable<T>;
      last = `last result: ${JSON.stringify(value)}`;
    } catch (err) {
      last = `last error: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what} (${last})`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
