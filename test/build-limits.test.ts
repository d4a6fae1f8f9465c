/**
 * One tenant's slow build must not stall another's deploy: repo A's
 * Dockerfile sleeps past the agent's build timeout while repo B's new
 * commit goes live; A's build is stopped (its build container gone) and
 * its status names the timeout. A manifest cannot ask for a longer build
 * than the agent allows.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHarness, docker, helloFiles, type Harness } from './support/agent-harness.ts';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { waitFor } from './support/http.ts';

const run = async (command: string, args: string[]) => (await promisify(execFile)(command, args)).stdout;

const limits = suite<{ h: Harness }>('build limits');
const TIMEOUT_S = 20;
// A number no other test sleeps for, to find A's build container.
const SLEEP_S = 347;

limits.before(async (context) => {
  context.h = await createHarness({ interval: '2s', drain: '500ms', extraRepos: 1, buildExtra: [`timeout: ${TIMEOUT_S}s`, 'parallel: 2'] });
  await context.h.startAgent();
});

limits.after(async (context) => {
  await context.h?.cleanup();
});

const sleepingBuilds = async () => (await docker.listContainers()).filter((info) => info.Command.includes(`sleep ${SLEEP_S}`));

limits('a build that runs past its timeout is stopped, and meanwhile another repo deploys', async ({ h }) => {
  const [b] = h.extra;
  const slowHost = `slow.${h.repo}.localhost`;
  const fastHost = `fast.${h.repo}.localhost`;
  await h.push({
    Dockerfile: `FROM node:20-bookworm-slim\nRUN echo building slowly && sleep ${SLEEP_S}\nCMD ["node", "-e", "require('http').createServer((q, s) => s.end('slow')).listen(3000)"]\n`,
    'nexus.yaml': `version: 1\napps:\n  slow:\n    port: 3000\n    domains: [${slowHost}]\n`,
  }, 'slow build');
  // A's build is running (its RUN step's container exists)...
  await waitFor(async () => (await sleepingBuilds()).length > 0, { timeoutMs: 30_000, intervalMs: 200, what: "repo A's build step to start" });
  const slowStarted = Date.now();
  // Followed live while it builds: ends with the outcome when the build does.
  const following = h.cli(['logs', 'slow', '--build', '-f']);

  // ...when B pushes: B goes live before A's build is over.
  await b!.push(await helloFiles((files) => {
    files['nexus.yaml'] = files['nexus.yaml']!.replace('hello.nexus.localhost', fastHost);
  }), 'fast app');
  await waitFor(async () => (await h.viaNginx(fastHost).catch(() => undefined))?.body === 'Hello from Nexus!\n', { timeoutMs: 60_000, intervalMs: 200, what: 'repo B served' });
  const fastLiveAfterMs = Date.now() - slowStarted;
  const slowStill = (await h.status()).repos.find((repo) => repo.name === h.repo)?.apps[0];
  assert.ok(fastLiveAfterMs < TIMEOUT_S * 1000, `B went live only after ${fastLiveAfterMs} ms`);
  assert.is(slowStill?.lastAttempt?.status, 'building', `A is ${slowStill?.lastAttempt?.status}, expected still building`);
  console.log(`  repo B live ${fastLiveAfterMs} ms after repo A's build started (A's timeout ${TIMEOUT_S}s)`);

  // A fails with the timeout in its status; the build step's container is gone.
  const slow = await waitFor(async () => {
    const app = (await h.status()).repos.find((repo) => repo.name === h.repo)?.apps[0];
    return app?.lastAttempt?.status === 'failed' ? app : undefined;
  }, { timeoutMs: (TIMEOUT_S + 30) * 1000, intervalMs: 500, what: "repo A's build to time out" });
  assert.match(slow.lastAttempt!.message!, new RegExp(`stopped after ${TIMEOUT_S}s, its build timeout`));
  assert.is(slow.health, 'Missing');
  await waitFor(async () => (await sleepingBuilds()).length === 0, { timeoutMs: 20_000, intervalMs: 500, what: "A's build container removed" });
  const log = await h.cli(['logs', 'slow', '--build']);
  assert.match(log.stdout, /building slowly/);
  assert.match(log.stdout, /build stopped after 20s/);
  const followed = await following;
  assert.is(followed.code, 1, followed.stderr);
  assert.match(followed.stdout, /building slowly/);
  assert.match(followed.stdout, /build stopped after 20s/);
  assert.match(followed.stdout.trim().split('\n').at(-1)!, /failed/);
  // B kept serving throughout.
  assert.is((await h.viaNginx(fastHost)).body, 'Hello from Nexus!\n');
});

limits('a manifest may not ask for a longer build than the agent allows', async ({ h }) => {
  const sha = await h.push({
    Dockerfile: 'FROM node:20-bookworm-slim\nCMD ["node", "-e", "0"]\n',
    'nexus.yaml': 'version: 1\napps:\n  slow:\n    build: { timeout: 1h }\n    port: 3000\n',
  }, 'greedy timeout');
  const repo = await waitFor(async () => {
    const current = (await h.status()).repos.find((item) => item.name === h.repo);
    return current?.revision === sha && current.problems?.length ? current : undefined;
  }, { timeoutMs: 30_000, intervalMs: 300, what: 'the refusal in /status' });
  const [problem] = repo.problems!;
  assert.is(`${problem!.line}:${problem!.column}`, '4:23');
  assert.match(problem!.message, /longer than the 20s this agent allows for a build/);
});

limits('a build that prints without end keeps the agent small and its log capped', async ({ h }) => {
  const host = `flood.${h.repo}.localhost`;
  // ~300 MB of build output, then a working app.
  const sha = await h.push({
    Dockerfile: 'FROM node:20-bookworm-slim\nRUN yes flooding-the-build-log | head -c 300000000\nCMD ["node", "-e", "require(\'http\').createServer((q, s) => s.end(\'flooded\')).listen(3000)"]\n',
    'nexus.yaml': `version: 1\napps:\n  slow:\n    port: 3000\n    domains: [${host}]\n`,
  }, 'flood the build log');
  const pid = Number((await run('pgrep', ['-f', `main.ts agent --config ${h.configFile}`])).trim().split('\n')[0]);
  assert.ok(pid > 0, 'agent pid not found');
  await waitFor(async () => (await h.viaNginx(host).catch(() => undefined))?.body === 'flooded', { timeoutMs: 240_000, intervalMs: 500, what: 'the flooded app served' });
  const peakKb = Number(/VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1]);
  console.log(`  agent peak RSS ${(peakKb / 1024).toFixed(0)} MB after a build printed 300 MB`);
  assert.ok(peakKb < 400 * 1024, `agent peak RSS ${(peakKb / 1024).toFixed(0)} MB`);
  const app = (await h.status()).repos.find((repo) => repo.name === h.repo)!.apps[0]!;
  assert.is(app.lastAttempt?.revision, sha);
  const log = await h.cli(['logs', 'slow', '--build']);
  assert.ok(log.stdout.length <= 70_000, `log of ${log.stdout.length} characters`);
  assert.match(log.stdout, /Successfully tagged/);
});

limits('a .dockerignore made to blow up pattern matching is decided at once', async ({ h }) => {
  const host = `globs.${h.repo}.localhost`;
  const deep = `${Array.from({ length: 60 }, () => 'a').join('/')}/y.txt`;
  await h.push({
    '.dockerignore': `${Array.from({ length: 40 }, () => '**').join('/')}/x\nfoo(\n`,
    [deep]: 'deep\n',
    'index.html': '<h1>globs survived</h1>\n',
    'nexus.yaml': `version: 1\napps:\n  slow:\n    port: 8080\n    domains: [${host}]\n`,
  }, 'hostile .dockerignore');
  await waitFor(async () => (await h.viaNginx(host).catch(() => undefined))?.body.includes('globs survived'), { timeoutMs: 120_000, intervalMs: 500, what: 'the app with the hostile .dockerignore served' });
  // The agent kept answering meanwhile.
  assert.is((await h.status()).repos.length, 2);
});

limits.run();
