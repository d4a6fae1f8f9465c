/**
 * The reconciler on the real services: drift repair, prune, two repos
 * claiming one domain, rollback pins, and a converged host that makes no
 * mutating Docker call. The agent is its own process and talks to dockerd
 * through a counting proxy, so "zero mutating calls" is measured on the
 * wire, not on an in-process fake.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHarness, docker, helloFiles, type Harness } from './support/agent-harness.ts';
import { startDockerProxy, type DockerProxy } from './support/docker-proxy.ts';
import { waitFor } from './support/http.ts';

const HOST = 'hello.nexus.localhost';
const V1 = 'Hello from Nexus!\n';
const V2 = 'Hello, release two\n';
const V3 = 'Hello, release three\n';
const INTERVAL_MS = 2_000;

const reconcile = suite<{ h: Harness; proxy: DockerProxy }>('reconcile');

reconcile.before(async (context) => {
  context.proxy = await startDockerProxy();
  context.h = await createHarness({ interval: '2s', drain: '500ms', extraRepos: 1, dockerSocket: context.proxy.socketPath });
  await context.h.startAgent();
});

reconcile.after(async (context) => {
  await context.h?.cleanup();
  await context.proxy?.close();
});

const withBody = (body: string) => helloFiles((files) => {
  files['server.js'] = files['server.js']!.replace('Hello from Nexus!', body.trim());
});

async function servedBody(h: Harness, host: string, body: string, what: string): Promise<void> {
  await waitFor(async () => {
    const response = await h.viaNginx(host).catch(() => undefined);
    return response?.status === 200 && response.body === body;
  }, { timeoutMs: 120_000, intervalMs: 250, what });
}

async function appStatus(h: Harness, repo: string, app: string) {
  return (await h.status()).repos.find((item) => item.name === repo)?.apps.find((item) => item.name === app);
}

async function runningOf(h: Harness, repo: string, app: string) {
  return (await h.containers()).filter((info) => info.Labels['nexus.repo'] === repo && info.Labels['nexus.app'] === app);
}

reconcile('after a deploy the plan is empty, and further reconciles make zero mutating Docker calls', async ({ h, proxy }) => {
  await h.push(await helloFiles(), 'hello v1');
  await servedBody(h, HOST, V1, 'hello v1 through nginx');
  const plan = await waitFor(async () => {
    const answer = await h.cli(['plan', '--json']);
    const view = JSON.parse(answer.stdout || '{}') as { actions?: unknown[] };
    return answer.code === 0 && view.actions?.length === 0 ? view : undefined;
  }, { timeoutMs: 30_000, intervalMs: 500, what: 'an empty plan' });
  assert.equal(plan.actions, []);
  const table = await h.cli(['plan']);
  assert.match(table.stdout, /Nothing to do/);

  const since = Date.now();
  await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS * 3));
  const lists = proxy.calls.filter((call) => call.at >= since && call.method === 'GET' && call.path.includes('/containers/json'));
  assert.ok(lists.length >= 2, `expected at least two observe passes in ${INTERVAL_MS * 3} ms, saw ${lists.length}`);
  assert.equal(proxy.mutating(since), [], 'a converged host must see no mutating Docker call');
});

reconcile('a container stopped by hand is recreated', async ({ h }) => {
  const [before] = await runningOf(h, h.repo, 'hello');
  await docker.getContainer(before!.Id).stop({ t: 1 });
  await waitFor(async () => {
    const containers = await runningOf(h, h.repo, 'hello');
    return containers.length === 1 && containers[0]!.Id !== before!.Id && containers[0]!.State === 'running';
  }, { timeoutMs: 60_000, intervalMs: 250, what: 'a new running container' });
  await servedBody(h, HOST, V1, 'hello served again after the stop');
  const app = await appStatus(h, h.repo, 'hello');
  assert.match(app!.lastAttempt!.reason, /is exited/);
  assert.is(app!.lastAttempt!.status, 'success');
});

reconcile('a container killed by hand is healed, within about one poll interval', async ({ h }) => {
  const [before] = await runningOf(h, h.repo, 'hello');
  const killedAt = Date.now();
  await docker.getContainer(before!.Id).kill();
  // Docker's restart policy may bring it back by itself; either way the app must serve again and stay one container.
  await waitFor(async () => {
    const response = await h.viaNginx(HOST).catch(() => undefined);
    const containers = await runningOf(h, h.repo, 'hello');
    return response?.body === V1 && containers.length === 1 && containers[0]!.State === 'running';
  }, { timeoutMs: 60_000, intervalMs: 100, what: 'hello healed after the kill' });
  console.log(`  healed ${Date.now() - killedAt} ms after docker kill (poll interval ${INTERVAL_MS} ms)`);
});

reconcile('a container removed by hand is recreated', async ({ h }) => {
  const [before] = await runningOf(h, h.repo, 'hello');
  await docker.getContainer(before!.Id).remove({ force: true });
  await servedBody(h, HOST, V1, 'hello served again after the removal');
  const containers = await runningOf(h, h.repo, 'hello');
  assert.is(containers.length, 1);
  assert.is.not(containers[0]!.Id, before!.Id);
});

reconcile('a route file edited or deleted by hand is restored', async ({ h }) => {
  const file = path.join(h.nginx.sitesDir, `nexus--${h.repo}--hello.conf`);
  const original = await readFile(file, 'utf8');
  await writeFile(file, original.replace('proxy_read_timeout 60s', 'proxy_read_timeout 1s'));
  await waitFor(async () => (await readFile(file, 'utf8')) === original, { timeoutMs: 30_000, intervalMs: 250, what: 'the edited route restored' });
  await rm(file);
  await waitFor(async () => (await readFile(file, 'utf8').catch(() => '')) === original, { timeoutMs: 30_000, intervalMs: 250, what: 'the deleted route restored' });
  await servedBody(h, HOST, V1, 'hello still served');
});

reconcile('a container whose memory limit was changed by hand is replaced through the cutover', async ({ h }) => {
  const [before] = await runningOf(h, h.repo, 'hello');
  await docker.getContainer(before!.Id).update({ Memory: 256 * 1024 * 1024, MemorySwap: -1 });
  await waitFor(async () => {
    const containers = await runningOf(h, h.repo, 'hello');
    return containers.length === 1 && containers[0]!.Id !== before!.Id;
  }, { timeoutMs: 60_000, intervalMs: 250, what: 'the drifted container replaced' });
  await servedBody(h, HOST, V1, 'hello served by the replacement');
  const app = await appStatus(h, h.repo, 'hello');
  assert.match(app!.lastAttempt!.reason, /drifted from its release: memory limit changed by hand/);
  const [after] = await runningOf(h, h.repo, 'hello');
  assert.is((await docker.getContainer(after!.Id).inspect()).HostConfig.Memory, 512 * 1024 * 1024);
});

const sideApp = (name: string, domain: string) => [
  `  ${name}:`,
  '    port: 3000',
  `    domains: [${domain}]`,
  '    health: { path: /healthz, timeout: 30s }',
];

reconcile('two repos claiming one domain: the serving app keeps it, the other is refused with a status naming both', async ({ h }) => {
  const extra = h.extra[0]!;
  const files = await helloFiles();
  files['nexus.yaml'] = ['version: 1', 'apps:', ...sideApp('shop', HOST), ...sideApp('side', 'side.nexus.localhost'), ''].join('\n');
  await extra.push(files, 'extra v1: shop claims hello\'s domain');
  await servedBody(h, 'side.nexus.localhost', V1, 'the side app of the second repo');
  const shop = await waitFor(async () => {
    const status = await appStatus(h, extra.name, 'shop');
    return status?.held ? status : undefined;
  }, { timeoutMs: 30_000, intervalMs: 250, what: 'shop refused in /status' });
  assert.match(shop.held!, new RegExp(`domain ${HOST.replace(/\./g, '\\.')} is already claimed by ${h.repo}/hello; ${extra.name}/shop is refused`));
  assert.equal(await runningOf(h, extra.name, 'shop'), []);
  assert.is((await h.viaNginx(HOST)).body, V1);
});

reconcile('an app removed from the manifest is pruned: container and route gone', async ({ h }) => {
  const extra = h.extra[0]!;
  const files = await helloFiles();
  files['nexus.yaml'] = ['version: 1', 'apps:', ...sideApp('shop', HOST), ...sideApp('other', 'other.nexus.localhost'), ''].join('\n');
  await extra.push(files, 'extra v2: side removed, other added');
  await servedBody(h, 'other.nexus.localhost', V1, 'the other app');
  await waitFor(async () => (await runningOf(h, extra.name, 'side')).length === 0, { timeoutMs: 30_000, intervalMs: 250, what: 'side pruned' });
  const routeFile = path.join(h.nginx.sitesDir, `nexus--${extra.name}--side.conf`);
  assert.is(await readFile(routeFile, 'utf8').catch(() => 'gone'), 'gone');
  assert.is.not((await h.viaNginx('side.nexus.localhost')).body, V1);
});

reconcile('rollback serves the previous release without a build, holds through polls, and a new commit ends the pin', async ({ h }) => {
  await h.push(await withBody(V2), 'hello v2');
  await servedBody(h, HOST, V2, 'hello v2');
  const imagesBefore = (await docker.listImages({ filters: { reference: [`nexus/${h.repo}/${h.repo}`] } })).map((image) => image.Id).sort();
  assert.ok(imagesBefore.length >= 2, `expected the images of v1 and v2, found ${imagesBefore.length}`);

  const history = await h.cli(['history', 'hello', '--json']);
  assert.is(history.code, 0, history.stderr);
  const releases = (JSON.parse(history.stdout) as { deployments: { id: string; status: string; image?: string }[] }).deployments.filter((item) => item.status === 'success');
  assert.ok(releases.length >= 2);

  const answer = await h.cli(['rollback', 'hello']);
  assert.is(answer.code, 0, answer.stderr);
  assert.match(answer.stdout, /rolled back to release .*pinned until a new commit changes it/);
  await servedBody(h, HOST, V1, 'hello v1 again after the rollback');

  const after = JSON.parse((await h.cli(['history', `${h.repo}/hello`, '--json'])).stdout) as { deployments: { reason: string; cached?: boolean; image?: string; status: string }[] };
  const rollback = after.deployments[0]!;
  assert.match(rollback.reason, /rollback pin/);
  assert.is(rollback.cached, true);
  assert.is(rollback.status, 'success');
  const imagesAfter = (await docker.listImages({ filters: { reference: [`nexus/${h.repo}/${h.repo}`] } })).map((image) => image.Id).sort();
  assert.equal(imagesAfter, imagesBefore, 'a rollback must not build an image');

  // Polls do not fight the pin.
  await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS * 3));
  assert.is((await h.viaNginx(HOST)).body, V1);
  const pinned = await appStatus(h, h.repo, 'hello');
  assert.ok(pinned?.pinned, 'status shows the pin');
  assert.is(pinned!.sync, 'Synced');
  assert.equal((await h.cli(['status'])).stdout.includes('pinned: release'), true);

  // A commit that changes the app ends the pin.
  await h.push(await withBody(V3), 'hello v3');
  await servedBody(h, HOST, V3, 'hello v3 after the pin ended');
  const unpinned = await waitFor(async () => {
    const status = await appStatus(h, h.repo, 'hello');
    // /status reflects the observation at the end of the cycle, after the drain.
    return status && !status.pinned && status.sync === 'Synced' ? status : undefined;
  }, { timeoutMs: 30_000, intervalMs: 250, what: 'the pin gone from /status and the app Synced' });
  assert.is(unpinned.appliedRevision, unpinned.lastApplied?.revision);
});

reconcile('rollback of an unknown app, or to an unknown deployment, is refused with a clear message', async ({ h }) => {
  const unknown = await h.cli(['rollback', 'nope']);
  assert.is(unknown.code, 1);
  assert.match(unknown.stderr, /no app "nope" — known apps: .*hello/);
  const badTarget = await h.cli(['rollback', 'hello', '--to', 'ffffffff']);
  assert.is(badTarget.code, 1);
  assert.match(badTarget.stderr, /cannot roll back .*hello: no successful deployment "ffffffff"/);
});

reconcile('a repo removed from the agent config is pruned after a restart', async ({ h }) => {
  const extra = h.extra[0]!;
  assert.is((await runningOf(h, extra.name, 'other')).length, 1);
  await h.stopAgent();
  await h.writeConfig([h.repo]);
  await h.startAgent();
  await waitFor(async () => (await runningOf(h, extra.name, 'other')).length === 0, { timeoutMs: 60_000, intervalMs: 250, what: 'the removed repo pruned' });
  assert.is(await readFile(path.join(h.nginx.sitesDir, `nexus--${extra.name}--other.conf`), 'utf8').catch(() => 'gone'), 'gone');
  await servedBody(h, HOST, V3, 'hello unaffected');
});

reconcile.run();
