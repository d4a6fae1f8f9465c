/**
 * Crash safety on the real services: the agent is SIGKILLed at random
 * moments of deploys (build, start, health check, switch, drain), then
 * restarted, and must converge every time to exactly the desired state —
 * one container, serving the newest body, a route to a running container,
 * nothing left over in the nginx folder, and `nginx -t` passing.
 *
 * Bounded: CRASH_COUNT kills or CRASH_BUDGET_MS, whichever comes first;
 * the random moments come from a seeded generator (seed printed) so a
 * failure can be replayed with NEXUS_CRASH_SEED.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHarness, helloFiles, type Harness } from './support/agent-harness.ts';
import { waitFor } from './support/http.ts';

const run = ([command, ...args]: string[]) => promisify(execFile)(command!, args);

const HOST = 'hello.nexus.localhost';
const CRASH_COUNT = 20;
const CRASH_BUDGET_MS = 12 * 60_000;
/**
 * Kill moments are drawn from [0, MAX_KILL_DELAY_MS) after the agent logs
 * "deploy started" for the pushed revision: a deploy here takes ~1.5-2 s
 * (build, start, health check, route switch, drain), so kills land in it.
 */
const MAX_KILL_DELAY_MS = 1_500;

const crash = suite<{ h: Harness }>('crash');

crash.before(async (context) => {
  context.h = await createHarness({ interval: '1s', drain: '300ms' });
  await context.h.startAgent();
});

crash.after(async (context) => {
  await context.h?.cleanup();
});

/** mulberry32: a tiny seeded generator, so a failing sequence can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function assertConverged(h: Harness, body: string, sha: string, round: number): Promise<void> {
  const where = `after kill ${round}`;
  await waitFor(async () => {
    const response = await h.viaNginx(HOST).catch(() => undefined);
    if (response?.status !== 200 || response.body !== body) return false;
    const app = (await h.status()).repos[0]?.apps.find((item) => item.name === 'hello');
    if (app?.appliedRevision !== sha || app.sync !== 'Synced' || app.health !== 'Healthy') return false;
    return (await h.containers()).length === 1;
  }, { timeoutMs: 120_000, intervalMs: 200, what: `convergence ${where}` });

  const containers = await h.containers();
  assert.is(containers.length, 1, `orphaned containers ${where}: ${containers.map((c) => c.Names[0]).join(', ')}`);
  assert.is(containers[0]!.State, 'running');
  const files = await readdir(h.nginx.sitesDir);
  assert.equal(files, [`nexus--${h.repo}--hello.conf`], `stray files in the nginx folder ${where}`);
  const route = await readFile(path.join(h.nginx.sitesDir, files[0]!), 'utf8');
  assert.ok(route.includes(`"release":"${containers[0]!.Labels['nexus.release']}"`), `route does not point to the running release ${where}`);
  const [command, ...args] = h.nginx.testCommand;
  await promisify(execFile)(command!, args).catch((error: { stderr?: string }) => assert.unreachable(`nginx -t failed ${where}: ${error.stderr}`));
}

crash(`${CRASH_COUNT} SIGKILLs at random moments of deploys, each followed by a restart, always converge`, async ({ h }) => {
  const seed = Number(process.env.NEXUS_CRASH_SEED ?? Date.now() % 1_000_000);
  const next = random(seed);
  console.log(`  crash seed ${seed} (replay with NEXUS_CRASH_SEED=${seed})`);
  const deadline = Date.now() + CRASH_BUDGET_MS;
  const delays: number[] = [];

  let kills = 0;
  for (let round = 1; round <= CRASH_COUNT && Date.now() < deadline; round += 1) {
    const body = `Hello, crash round ${round}\n`;
    const sha = await h.push(await helloFiles((files) => {
      files['server.js'] = files['server.js']!.replace('Hello from Nexus!', body.trim());
    }), `crash round ${round}`);
    await waitFor(async () => (await h.agentLog()).split('\n').some((line) => line.includes('"deploy started"') && line.includes(sha)), { timeoutMs: 60_000, intervalMs: 20, what: `the deploy of round ${round} to start` });
    const delay = Math.floor(next() * MAX_KILL_DELAY_MS);
    delays.push(delay);
    await new Promise((resolve) => setTimeout(resolve, delay));
    await h.killAgent();
    kills += 1;
    await h.startAgent();
    await assertConverged(h, body, sha, round);
  }
  console.log(`  ${kills} kills at ${delays.join(', ')} ms after "deploy started"`);
  assert.is(kills, CRASH_COUNT, `only ${kills} kills fitted in the ${CRASH_BUDGET_MS / 60_000} min budget`);
  const interrupted = (await h.agentLog()).split('\n').filter((line) => line.includes('closed interrupted deployments')).length;
  console.log(`  ${interrupted} of ${kills} kills cut a deploy short (the rest came just after a deploy finished)`);
  assert.ok(interrupted >= kills / 2, `only ${interrupted} of ${kills} kills landed inside a deploy`);
});

crash('a kill between a route file rename and the nginx reload is repaired by the restart', async ({ h }) => {
  // Converged on the last round's body; now make nginx's running config disagree with the file on disk,
  // exactly as a kill right after the rename (before the reload) would leave it.
  await h.killAgent();
  const [file] = await readdir(h.nginx.sitesDir);
  const target = path.join(h.nginx.sitesDir, file!);
  const good = await readFile(target, 'utf8');
  const before = (await h.viaNginx(HOST)).body;
  await writeFile(target, good.replace(/server 127\.0\.0\.1:\d+;/, 'server 127.0.0.1:9;'));
  await run(h.nginx.reloadCommand);
  await waitFor(async () => (await h.viaNginx(HOST).catch(() => undefined))?.status === 502, { timeoutMs: 10_000, intervalMs: 100, what: 'nginx to serve the stale config' });
  await writeFile(target, good); // the file is right again, nginx still runs the stale config
  await h.startAgent();
  await waitFor(async () => (await h.viaNginx(HOST).catch(() => undefined))?.body === before, { timeoutMs: 20_000, intervalMs: 200, what: 'the route served again after the restart' });
});

crash.run();
