import { timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { serve, type ServerType } from '@hono/node-server';
import { NexusError, describeError } from '../errors/index.ts';
import type { PlanView, StatusReport } from '../reconcile/index.ts';
import type { Deployment } from '../../state/index.ts';
import type { Generation } from '../ai/generation.ts';
import { parseGenerateBody, type GenerateBody } from './generate-body.ts';
import type { WebhookAnswer } from './webhooks/handle.ts';
import type { Job } from './jobs.ts';

/** The largest webhook delivery read (GitHub caps payloads at 25 MB). */
const MAX_WEBHOOK_BODY = 25 * 1024 * 1024;

/** A generation request is a prompt and a few names: anything larger is refused unread. */
const MAX_GENERATE_BODY = 64 * 1024;

/** A deployment as the API shows it: the release snapshot's env stays inside the agent. */
export type DeploymentView = Omit<Deployment, 'snapshot'> & { image?: string };

export interface ServerDeps {
  status: () => StatusReport & { generations?: unknown[] };
  /** Asks for a sync of one repo or all; resolves when it has run. */
  sync: (repo: string | undefined) => Promise<{ ok: boolean; message: string }>;
  /** The plan against a fresh observation, nothing applied. */
  plan?: () => Promise<PlanView>;
  /** Deployments of "app" or "repo/app", newest first. */
  history?: (app: string) => { repo: string; app: string; deployments: DeploymentView[] };
  /**
   * One deployment of "app" or "repo/app" ("latest", an id, id prefix or
   * release) and its stored build log — the tail, rewritten while it builds.
   */
  buildLog?: (app: string, id: string) => Promise<{ repo: string; app: string; deployment: DeploymentView; log: string }>;
  /** Starts an AI generation; answers at once with its record (the work goes on). */
  generate?: (body: GenerateBody) => Generation;
  /** One generation's progress and outcome. */
  generation?: (id: string) => Generation | undefined;
  /** A push webhook delivery (provider, lower-case headers, raw body) → the answer. */
  webhook?: (provider: 'github' | 'gitea' | 'gitlab', headers: Record<string, string | undefined>, raw: Uint8Array) => WebhookAnswer;
  /** Starts a sync of one repo as a job (forgetting its failed specs, as an explicit sync does). */
  startSync?: (repo: string) => { job: string; repo: string };
  job?: (id: string) => Job | undefined;
  /** The Prometheus exposition of the agent's metrics. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** Pins an app at a recorded release and syncs; resolves once the cycle ran. */
  rollback?: (app: string, to: string | undefined) => Promise<{ repo: string; app: string; deployment: DeploymentView; message: string }>;
  /** Stores a secret (sealed) for an app and syncs. The value never comes back out. */
  setSecret?: (app: string, name: string, value: string) => Promise<{ message: string }>;
  /** New database password for an app, then a sync (new release). */
  rotateDatabase?: (app: string) => Promise<{ message: string }>;
  /** Drops an app's database and role. */
  dropDatabase?: (app: string) => Promise<{ message: string }>;
  /** Runs over every JSON answer: replaces any secret value the agent knows. */
  redact?: <T>(value: T) => T;
  /**
   * Bearer token that every mutating /api route requires (the CLI reads it
   * from the agent's data folder, mode 0600). Undefined: those routes are off.
   */
  token?: string;
}

/** The status API: routes only, no I/O of its own (tested with app.request). */
export function createApp(deps: ServerDeps): Hono {
  const app = new Hono();
  // Last guard on every JSON answer: whatever secret the agent knows is replaced.
  if (deps.redact) {
    const redact = deps.redact;
    app.use('*', async (c, next) => {
      await next();
      if (!c.res.headers.get('content-type')?.includes('application/json')) return;
      const body = await c.res.clone().json().catch(() => undefined);
      if (body === undefined) return;
      c.res = new Response(JSON.stringify(redact(body)), { status: c.res.status, headers: c.res.headers });
    });
  }
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/status', (c) => c.json(deps.status()));
  // Mutating, so it needs the token: a browser tab on the host must not be able to trigger it.
  app.post('/sync', async (c) => {
    if (!authorized(c, deps.token)) return unauthorized(c);
    const repo = c.req.query('repo');
    const result = await deps.sync(repo);
    return c.json(result, result.ok ? 200 : 404);
  });
  app.post('/api/repos/:repo/sync', (c) => {
    if (!authorized(c, deps.token)) return unauthorized(c);
    return answer(c, () => deps.startSync!(c.req.param('repo')), !deps.startSync, 202);
  });
  app.get('/metrics', async (c) => {
    if (!deps.metrics) return c.text('metrics are not available\n', 501);
    const { contentType, body } = await deps.metrics();
    return c.body(body, 200, { 'content-type': contentType });
  });
  app.get('/api/jobs/:id', (c) => {
    const job = deps.job?.(c.req.param('id'));
    return job ? c.json(job) : c.json({ error: `no job ${c.req.param('id').slice(0, 40)} — the agent keeps the newest 200` }, 404);
  });
  // Push webhooks: signed by the repo's secret (checked inside), at most 25 MB, read as raw bytes for the signature.
  app.post('/webhooks/:provider{github|gitea|forgejo|gitlab}', bodyLimit({ maxSize: MAX_WEBHOOK_BODY, onError: (c) => c.json({ error: 'the delivery is over 25 MB' }, 413) }), async (c) => {
    if (!deps.webhook) return c.json({ error: 'webhooks are not available' }, 501);
    const provider = c.req.param('provider') === 'forgejo' ? 'gitea' : (c.req.param('provider') as 'github' | 'gitea' | 'gitlab');
    const headers = Object.fromEntries([...c.req.raw.headers].map(([name, value]) => [name.toLowerCase(), value]));
    const result = deps.webhook(provider, headers, new Uint8Array(await c.req.arrayBuffer()));
    return c.json(result.body, result.status);
  });

  app.get('/api/plan', async (c) => (deps.plan ? c.json(await deps.plan()) : c.json({ error: 'plan is not available' }, 501)));
  app.get('/api/apps/:app{.+}/history', (c) => answer(c, () => deps.history!(c.req.param('app')), !deps.history));
  // Read-only like /history (the API is bound to loopback); builds never see secret env, and the redactor runs anyway.
  // The limit is enforced while the body streams in (a chunked body has no content-length to trust).
  app.post('/api/generate', bodyLimit({ maxSize: MAX_GENERATE_BODY, onError: (c) => c.json({ error: `the body is over ${MAX_GENERATE_BODY} bytes` }, 413) }), async (c) => {
    if (!authorized(c, deps.token)) return unauthorized(c);
    if (!deps.generate) return c.json({ error: 'not available' }, 501);
    const text = await c.req.text();
    if (text.length > MAX_GENERATE_BODY) return c.json({ error: `the body is over ${MAX_GENERATE_BODY} bytes` }, 413);
    const body = parseGenerateBody(text);
    if (typeof body === 'string') return c.json({ error: body }, 400);
    const generate = deps.generate;
    return answer(c, () => generate(body), false, 202);
  });
  app.get('/api/generations/:id', (c) => {
    const found = deps.generation?.(c.req.param('id'));
    return found ? c.json(found) : c.json({ error: `no generation ${c.req.param('id').slice(0, 40)} — it may be older than the 50 the agent keeps, or from before a restart` }, 404);
  });
  app.get('/api/apps/:app{.+}/deployments/:id/log', (c) => answer(c, () => deps.buildLog!(c.req.param('app'), c.req.param('id')), !deps.buildLog));
  app.post('/api/apps/:app{.+}/rollback', async (c) => {
    if (!authorized(c, deps.token)) return unauthorized(c);
    const body = (await c.req.json().catch(() => ({}))) as { to?: unknown };
    const to = typeof body.to === 'string' && body.to.length > 0 ? body.to : undefined;
    return answer(c, () => deps.rollback!(c.req.param('app'), to), !deps.rollback);
  });
  app.put('/api/apps/:app{.+}/secrets/:name', async (c) => {
    if (!authorized(c, deps.token)) return unauthorized(c);
    const body = (await c.req.json().catch(() => ({}))) as { value?: unknown };
    if (typeof body.value !== 'string' || body.value.length === 0) return c.json({ error: 'send the secret as JSON {"value": "..."} (nexus secret set reads it from stdin)' }, 400);
    const value = body.value;
    return answer(c, () => deps.setSecret!(c.req.param('app'), c.req.param('name'), value), !deps.setSecret);
  });
  app.post('/api/apps/:app{.+}/db/rotate', (c) => (authorized(c, deps.token) ? answer(c, () => deps.rotateDatabase!(c.req.param('app')), !deps.rotateDatabase) : unauthorized(c)));
  app.delete('/api/apps/:app{.+}/db', (c) => (authorized(c, deps.token) ? answer(c, () => deps.dropDatabase!(c.req.param('app')), !deps.dropDatabase) : unauthorized(c)));
  return app;
}

function unauthorized(c: Context): Response {
  return c.json({ error: 'missing or wrong API token — use the nexus CLI on the agent host (it reads the token from the data folder)' }, 401);
}

/** Error codes that mean "no such thing" rather than "not now". */
const NOT_FOUND_CODES: ReadonlySet<string> = new Set(['APP_NOT_FOUND', 'DEPLOYMENT_NOT_FOUND', 'REPO_NOT_FOUND']);

/** Runs a handler; a NexusError becomes a 4xx with its message, anything else a 500. */
async function answer(c: Context, handler: () => unknown, missing: boolean, okStatus: 200 | 202 = 200): Promise<Response> {
  if (missing) return c.json({ error: 'not available' }, 501);
  try {
    return c.json(await handler(), okStatus);
  } catch (error) {
    const status = error instanceof NexusError ? (NOT_FOUND_CODES.has(error.code) ? 404 : error.code === 'GENERATION_REQUEST_INVALID' ? 400 : error.code === 'GENERATION_BUSY' ? 429 : 409) : 500;
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
