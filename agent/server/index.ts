import { Hono } from 'hono';
import { serve, type ServerType } from '@hono/node-server';
import type { StatusReport } from '../reconcile/index.ts';

export interface ServerDeps {
  status: () => StatusReport;
  /** Asks for a sync of one repo or all; resolves when it has run. */
  sync: (repo: string | undefined) => Promise<{ ok: boolean; message: string }>;
}

/** The status API: routes only, no I/O of its own (tested with app.request). */
export function createApp(deps: ServerDeps): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/status', (c) => c.json(deps.status()));
  app.post('/sync', async (c) => {
    const repo = c.req.query('repo');
    const result = await deps.sync(repo);
    return c.json(result, result.ok ? 200 : 404);
  });
  return app;
}

/** Listens on host:port; resolves once the socket is bound. */
export function startServer(app: Hono, host: string, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(server));
    server.once('error', reject);
  });
}
