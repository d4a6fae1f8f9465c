/**
 * Push webhooks end to end: a real `git push` to the git server, then a
 * signed GitHub-format delivery over HTTP to the running agent (which polls
 * only hourly), and the new version is live. Forged, unknown, malformed,
 * repeated and irrelevant deliveries change nothing.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHarness, helloFiles, type Harness } from './support/agent-harness.ts';
import { waitFor } from './support/http.ts';

const SECRET = 'webhook-secret-0123456789-abcdefghij';
const FIXTURES = path.resolve(import.meta.dirname, '../agent/server/webhooks/fixtures');
const hooks = suite<{ h: Harness; host: string }>('webhooks');

hooks.before(async (context) => {
  // Polls once an hour: only the startup cycle and webhooks make it act.
  context.h = await createHarness({ interval: '1h', drain: '300ms', repoExtra: ['webhook: { secretEnv: NEXUS_TEST_WEBHOOK_SECRET }'], agentEnv: { NEXUS_TEST_WEBHOOK_SECRET: SECRET } });
  context.host = `hello.${context.h.repo}.localhost`;
  await context.h.push(await body(context, 'webhook v1'), 'v1');
  await context.h.startAgent();
  await waitFor(async () => (await context.h.viaNginx(context.host).catch(() => undefined))?.body === 'webhook v1\n', { timeoutMs: 120_000, intervalMs: 300, what: 'v1 served after start-up' });
});

hooks.after(async (context) => {
  await context.h?.cleanup();
});

async function body(context: { host: string }, text: string): Promise<Record<string, string>> {
  return helloFiles((files) => {
    files['server.js'] = files['server.js']!.replace('Hello from Nexus!', text);
    files['nexus.yaml'] = files['nexus.yaml']!.replace('hello.nexus.localhost', context.host);
  });
}

/** GitHub's push payload (fixture), pointed at this repo and revision. */
async function pushPayload(h: Harness, after: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const payload = JSON.parse(await readFile(path.join(FIXTURES, 'github-push.json'), 'utf8'));
  Object.assign(payload, { ref: 'refs/heads/main', after, ...overrides });
  payload.repository = { ...payload.repository, clone_url: h.remote, html_url: h.remote.replace(/\.git$/, ''), ssh_url: 'git@127.0.0.1:nobody/elsewhere.git', git_url: 'git://127.0.0.1/nobody/elsewhere.git', url: h.remote.replace(/\.git$/, '') };
  return JSON.stringify(payload);
}

async function deliver(h: Harness, raw: string, headers: Record<string, string> = {}, secret = SECRET) {
  const signature = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
  const response = await fetch(`${h.statusUrl}/webhooks/github`, {
    method: 'POST', body: raw,
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': signature, ...headers },
  });
  return { status: response.status, body: await response.json() as Record<string, unknown> };
}

hooks('a signed push goes live without waiting for a poll; its job reports the outcome', async ({ h, host }) => {
  const sha = await h.push(await body({ host }, 'webhook v2'), 'v2');
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  assert.is((await h.viaNginx(host)).body, 'webhook v1\n', 'deployed before any webhook: is the poll interval really 1h?');
  const sent = Date.now();
  const answer = await deliver(h, await pushPayload(h, sha));
  assert.is(answer.status, 202, JSON.stringify(answer.body));
  assert.equal(answer.body.repos, [h.repo]);
  await waitFor(async () => (await h.viaNginx(host).catch(() => undefined))?.body === 'webhook v2\n', { timeoutMs: 60_000, intervalMs: 50, what: 'v2 served after the webhook' });
  console.log(`  webhook → v2 serving in ${Date.now() - sent} ms (build included)`);
  const job = await waitFor(async () => {
    const current = await (await fetch(`${h.statusUrl}/api/jobs/${answer.body.job}`)).json() as { state: string; outcome?: { apps: { name: string; health: string; revision?: string }[] }[] };
    return current.state === 'done' ? current : undefined;
  }, { timeoutMs: 30_000, intervalMs: 200, what: 'the job done' });
  assert.equal(job.outcome?.[0]?.apps.map((app) => [app.name, app.health, app.revision]), [['hello', 'Healthy', sha]]);
});

hooks('forged, unknown, malformed, repeated and irrelevant deliveries change nothing', async ({ h, host }) => {
  const sha = await h.push(await body({ host }, 'webhook v3'), 'v3');
  const raw = await pushPayload(h, sha);
  assert.is((await deliver(h, raw, {}, 'not-the-secret')).status, 401);
  assert.is((await deliver(h, raw, { 'x-hub-signature-256': '' })).status, 401);
  const other = (await pushPayload(h, sha)).replaceAll(h.remote.replace(/\.git$/, ''), `${h.remote.replace(/\.git$/, '')}-copy`);
  assert.is((await deliver(h, other)).status, 404, 'a repo whose name only starts the same matched');
  assert.is((await deliver(h, '{"ref": "refs/heads/main"')).status, 400);
  const tag = await deliver(h, await pushPayload(h, sha, { ref: 'refs/tags/v3' }));
  assert.is(tag.status, 200);
  assert.match(String(tag.body.ignored), /tag v3/);
  const otherBranch = await deliver(h, await pushPayload(h, sha, { ref: 'refs/heads/feature' }));
  assert.match(String(otherBranch.body.ignored), /push to feature/);
  const ping = await deliver(h, JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1, repository: JSON.parse(raw).repository }), { 'x-github-event': 'ping' });
  assert.equal([ping.status, ping.body.repos], [200, [h.repo]]);
  const big = await fetch(`${h.statusUrl}/webhooks/github`, { method: 'POST', body: 'x'.repeat(26 * 1024 * 1024), headers: { 'content-type': 'application/json' } });
  assert.is(big.status, 413);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  assert.is((await h.viaNginx(host)).body, 'webhook v2\n', 'a refused delivery deployed v3');
  // A repeated delivery id is acknowledged once.
  const delivery = randomUUID();
  assert.is((await deliver(h, raw, { 'x-github-delivery': delivery })).status, 202);
  const again = await deliver(h, raw, { 'x-github-delivery': delivery });
  assert.equal([again.status, again.body.ignored], [200, 'this delivery was already received']);
  await waitFor(async () => (await h.viaNginx(host).catch(() => undefined))?.body === 'webhook v3\n', { timeoutMs: 60_000, intervalMs: 100, what: 'v3 served' });
  // No rejection logged the secret.
  assert.not.ok((await h.agentLog()).includes(SECRET));
  assert.match(await h.agentLog(), /"webhook refused".*"status":401/);
});

/** One sample of the agent's /metrics (0 when the series is absent). */
async function sample(h: Harness, series: string): Promise<number> {
  const text = await (await fetch(`${h.statusUrl}/metrics`)).text();
  const line = text.split('\n').find((item) => item.startsWith(`${series} `));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

hooks('nexus sync --wait syncs now and prints the outcome; POST /sync needs the token; metrics move', async ({ h, host }) => {
  // v1, v2 and v3 (its drain may still be running when the test before saw it served).
  const deploysBefore = await waitFor(async () => {
    const count = await sample(h, `nexus_deploy_total{repo="${h.repo}",app="hello",result="success"}`);
    return count >= 3 ? count : undefined;
  }, { timeoutMs: 10_000, intervalMs: 100, what: 'three successful deploys counted' });
  assert.ok(await sample(h, 'nexus_webhook_requests_total{provider="github",outcome="accepted"}') >= 2);
  assert.ok(await sample(h, 'nexus_webhook_requests_total{provider="github",outcome="unauthorized"}') >= 2);
  assert.ok(await sample(h, 'nexus_webhook_requests_total{provider="github",outcome="unknown_repo"}') >= 1);
  const sha = await h.push(await body({ host }, 'webhook v4'), 'v4');
  assert.is((await fetch(`${h.statusUrl}/sync`, { method: 'POST' })).status, 401);
  const result = await h.cli(['sync', '--wait']);
  assert.is(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, new RegExp(`${h.repo}/hello: Synced, Healthy at ${sha.slice(0, 7)}`));
  assert.is((await h.viaNginx(host)).body, 'webhook v4\n');
  assert.is(await sample(h, `nexus_deploy_total{repo="${h.repo}",app="hello",result="success"}`), deploysBefore + 1);
  assert.is(await sample(h, `nexus_app_info{repo="${h.repo}",app="hello",revision="${sha}",sync="Synced",health="Healthy"}`), 1);
  const text = await (await fetch(`${h.statusUrl}/metrics`)).text();
  assert.match(text, /^nexus_build_duration_seconds_bucket\{le="900",repo="[^"]+",app="hello"\} \d+$/m);
  assert.match(text, /^nexus_reconcile_duration_seconds_count \d+$/m);
  assert.match(text, /^process_resident_memory_bytes \d+/m);
  assert.not.ok(text.includes(SECRET));
});

hooks('a push that lands while the previous deploy is still running is deployed after it (polls are hourly)', async ({ h, host }) => {
  const first = await h.push(await body({ host }, 'webhook v5'), 'v5');
  assert.is((await deliver(h, await pushPayload(h, first))).status, 202);
  await waitFor(async () => (await h.status()).repos[0]?.apps[0]?.health === 'Progressing', { timeoutMs: 20_000, intervalMs: 20, what: 'the v5 deploy under way' });
  const second = await h.push(await body({ host }, 'webhook v6'), 'v6');
  assert.is((await deliver(h, await pushPayload(h, second))).status, 202);
  await waitFor(async () => (await h.viaNginx(host).catch(() => undefined))?.body === 'webhook v6\n', { timeoutMs: 90_000, intervalMs: 100, what: 'v6 served' });
});

hooks.run();
