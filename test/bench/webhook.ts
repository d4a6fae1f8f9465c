/**
 * Benchmark (not a test): webhook → new version serving, for a cached
 * image. An app whose answer is its VERSION env value; each round commits
 * a new VERSION in nexus.yaml (same build context, so the image is cached),
 * pushes with the real git, delivers a signed GitHub push webhook to the
 * running agent (which polls only hourly) and times until nginx answers
 * with the new value.
 *
 *   node --import tsx test/bench/webhook.ts [rounds]     # default 9
 *
 * Prints the median and p90 of the whole path, and the agent's share
 * before the container starts (webhook accepted → deploy started: the
 * coalescing window, git fetch, plan) from its own log timestamps.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createHarness } from '../support/agent-harness.ts';
import { waitFor } from '../support/http.ts';

const ROUNDS = Number(process.argv[2] ?? 9);
const SECRET = 'bench-webhook-secret-0123456789';
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const p90 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.9))]!;

const h = await createHarness({ interval: '1h', drain: '200ms', repoExtra: ['webhook: { secretEnv: NEXUS_BENCH_WEBHOOK_SECRET }'], agentEnv: { NEXUS_BENCH_WEBHOOK_SECRET: SECRET } });
const host = `bench.${h.repo}.localhost`;
const files = (version: string) => ({
  Dockerfile: 'FROM node:20-bookworm-slim\nCOPY server.js /app/server.js\nUSER 1000\nCMD ["node", "/app/server.js"]\n',
  // Stops on SIGTERM (as PID 1, node would not): otherwise each old release takes Docker's 10 s stop timeout.
  'server.js': "const server = require('http').createServer((q, s) => s.end(q.url === '/healthz' ? 'ok' : process.env.VERSION)).listen(process.env.PORT);\nprocess.on('SIGTERM', () => { server.close(); process.exit(0); });\n",
  'nexus.yaml': `version: 1\napps:\n  bench:\n    port: 3000\n    domains: [${host}]\n    health: { path: /healthz }\n    env: { VERSION: "${version}" }\n`,
});
try {
  await h.push(files('v0'), 'v0');
  await h.startAgent();
  await waitFor(async () => (await h.viaNginx(host).catch(() => undefined))?.body === 'v0', { timeoutMs: 120_000, intervalMs: 200, what: 'v0 served' });
  const totals: number[] = [];
  const agentShares: number[] = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    const version = `v${round}`;
    const sha = await h.push(files(version), version);
    const raw = JSON.stringify({ ref: 'refs/heads/main', before: '0'.repeat(40), after: sha, repository: { clone_url: h.remote, html_url: h.remote.replace(/\.git$/, '') } });
    const sent = Date.now();
    const response = await fetch(`${h.statusUrl}/webhooks/github`, {
      method: 'POST', body: raw,
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}` },
    });
    if (response.status !== 202) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
    await waitFor(async () => (await h.viaNginx(host).catch(() => undefined))?.body === version, { timeoutMs: 60_000, intervalMs: 10, what: `${version} served` });
    totals.push(Date.now() - sent);
    const lines = (await h.agentLog()).split('\n').filter((line) => line.includes(sha) || line.includes('"webhook accepted"'));
    const at = (msg: string) => Date.parse(JSON.parse(lines.filter((line) => line.includes(`"msg":"${msg}"`)).at(-1) ?? '{}').time ?? 'x');
    agentShares.push(at('deploy started') - at('webhook accepted'));
    // Let the previous deploy finish (drain, old release stopped) before the next round.
    await waitFor(async () => (await h.containers()).length === 1, { timeoutMs: 30_000, intervalMs: 50, what: 'the old release removed' });
  }
  console.log(`\nwebhook → new version serving, cached image, ${ROUNDS} rounds (2 cores, loopback)`);
  console.log(`| | median | p90 |\n|---|---:|---:|`);
  console.log(`| webhook → serving | ${median(totals)} ms | ${p90(totals)} ms |`);
  console.log(`| agent before the container starts (coalescing 250 ms, fetch, plan) | ${median(agentShares)} ms | ${p90(agentShares)} ms |`);
} finally {
  await h.cleanup();
}
