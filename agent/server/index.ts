import { timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { serve, type ServerType } from '@hono/node-server';
import { NexusError, describeError } from '../errors/index.ts';
import type { PlanView, StatusReport } from '../reconcile/index.ts';
import type { Deployment } from '../../state/index.ts';

/** A deployment as the API shows it: the release snapshot's env stays inside the agent. */
export type DeploymentView = Omit<Deployment, 'snapshot'> & { image?: string };

export interface ServerDeps {
  status: () => StatusReport;
  /** Asks for a sync of one repo or all; resolves when it has run. */
  sync: (repo: string | undefined) => Promise<{ ok: boolean; message: string }>;
  /** The plan against a fresh observation, nothing applied. */
  plan?: () => Promise<PlanView>;
  /** Deployments of "app" or "repo/app", newest first. */
  history?: (app: string) => { repo: string; app: string; deployments: DeploymentView[] };
  /** Pins an app at a recorded release and syncs; resolves once the cycle ran. */
  rollback?: (app: string, to: string | undefined) => Promise<{ repo: string; app: string; deployment: DeploymentView; message: string }>;
  /**
   * Bearer token that every mutating /api route requires (the CLI reads it
   * from the agent's data folder, mode 0600). Undefined: those routes are off.
   */
  token?: string;
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

  app.get('/api/plan', async (c) => (deps.plan ? c.json(await deps.plan()) : c.json({ error: 'plan is not available' }, 501)));
  app.get('/api/apps/:app{.+}/history', (c) => answer(c, () => deps.history!(c.req.param('app')), !deps.history));
  app.post('/api/apps/:app{.+}/rollback', async (c) => {
    if (!authorized(c, deps.token)) return c.json({ error: 'missing or wrong API token — use the nexus CLI on the agent host (it reads the token from the data folder)' }, 401);
    const body = (await c.req.json().catch(() => ({}))) as { to?: unknown };
    const to = typeof body.to === 'string' && body.to.length > 0 ? body.to : undefined;
    return answer(c, () => deps.rollback!(c.req.param('app'), to), !deps.rollback);
  });
  return app;
}

/** Runs a handler; a NexusError becomes a 4xx with its message, anything else a 500. */
async function answer(c: Context, handler: () => unknown, missing: boolean): Promise<Response> {
  if (missing) return c.json({ error: 'not available' }, 501);
  try {
    return c.json(await handler());
  } catch (error) {
    const status = error instanceof NexusError ? (error.code === 'APP_NOT_FOUND' ? 404 : 409) : 500;
    return c.json({ error: describeError(error), code: error instanceof NexusError ? error.code : undefined }, status);
  }
}

function authorized(c: Context, token: string | undefined): boolean {
  if (!token) return false;
  const given = Buffer.from((c.req.header('authorization') ?? '').replace(/^Bearer\s+/i, ''));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Listens on host:port; resolves once the socket is bound. */
export function startServer(app: Hono, host: string, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(server));
    server.once('error', reject);
  });
}
