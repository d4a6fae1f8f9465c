/**
 * The walking skeleton end to end, on the real services: a real `git push`
 * to a git smart-HTTP server, the agent as its own process, real dockerd
 * builds and containers, a real nginx in front.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHarness, helloFiles, type Harness } from './support/agent-harness.ts';
import { waitFor } from './support/http.ts';

const HOST = 'hello.nexus.localhost';
const deploy = suite<{ h: Harness; containerIds: string[] }>('deploy');

deploy.before(async (context) => {
  context.h = await createHarness({ interval: '2s', drain: '1s' });
  await context.h.startAgent();
});

deploy.after(async (context) => {
  await context.h?.cleanup();
});

deploy('a git push of examples/hello is served through nginx', async ({ h }) => {
  const sha = await h.push(await helloFiles(), 'hello v1');
  const answer = await waitFor(async () => {
    const response = await h.viaNginx(HOST);
    return response.status === 200 && response.body === 'Hello from Nexus!\n' ? response : undefined;
  }, { timeoutMs: 120_000, intervalMs: 500, what: `nginx to serve ${HOST}` });
  assert.is(answer.body, 'Hello from Nexus!\n');
  // /status reflects the observation at the end of the cycle (after nginx confirmed the switch).
  const app = await waitFor(async () => {
    const current = (await h.status()).repos[0]?.apps[0];
    return current?.appliedRevision === sha ? current : undefined;
  }, { timeoutMs: 30_000, intervalMs: 100, what: 'the applied revision in /status' });
  assert.is(app.appliedRevision, sha);
  assert.is(app.sync, 'Synced');
  assert.is(app.health, 'Healthy');
  assert.is(app.lastAttempt?.status, 'success');
  assert.match(app.urls[0]!, /^http:\/\/hello\.nexus\.localhost:\d+\/$/);
});

deploy('a changed body is switched to with no failed request, and one container remains', async (context) => {
  const { h } = context;
  const sha = await h.push(await helloFiles((files) => {
    files['server.js'] = files['server.js']!.replace('Hello from Nexus!', 'Hello again, v2!');
  }), 'hello v2');

  const failures: string[] = [];
  let requests = 0;
  let sawNew = false;
  let settled = false;
  const deadline = Date.now() + 180_000;
  // Bounded: at most 50 000 requests or 180 s; stops once the old release is gone and 200 requests were made.
  while (requests < 50_000 && Date.now() < deadline) {
    requests += 1;
    try {
      const response = await h.viaNginx(HOST);
      if (response.status !== 200) failures.push(`HTTP ${response.status}: ${response.body.slice(0, 80)}`);
      else if (response.body === 'Hello again, v2!\n') sawNew = true;
      else if (response.body !== 'Hello from Nexus!\n') failures.push(`unexpected body ${JSON.stringify(response.body)}`);
    } catch (error) {
      failures.push(String(error));
    }
    if (sawNew && requests % 25 === 0) {
      const containers = await h.containers();
      settled = containers.length === 1 && containers[0]!.Labels['nexus.revision'] === sha;
      if (settled && requests >= 200) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.ok(sawNew, 'the new body was never served');
  assert.ok(requests >= 200, `only ${requests} requests were made`);
  assert.equal(failures, [], `${failures.length} of ${requests} requests failed`);
  assert.ok(settled, 'exactly one container of the app should remain');
  // The drain began only after nginx itself answered from the new release (X-Nexus-Release).
  assert.not.match(await h.agentLog(), /nginx did not confirm the switch/);
  assert.is((await h.viaNginx(HOST)).headers?.['x-nexus-release'], (await h.containers())[0]!.Labels['nexus.release']);
  context.containerIds = (await h.containers()).map((info) => info.Id);
});

deploy('a version whose health check fails is not served, is reported, and is not rebuilt on later polls', async ({ h, containerIds }) => {
  const sha = await h.push(await helloFiles((files) => {
    files['server.js'] = files['server.js']!
      .replace("response.writeHead(200, { 'content-type': 'text/plain' });\n    response.end('ok\\n');", "response.writeHead(500);\n    response.end('sick\\n');")
      .replace('Hello again, v2!', 'Broken v3');
    files['nexus.yaml'] = files['nexus.yaml']!.replace('timeout: 30s', 'timeout: 4s');
  }), 'hello v3: failing health check');
  const app = await waitFor(async () => {
    const current = (await h.status()).repos[0]!.apps[0]!;
    return current.lastAttempt?.revision === sha && current.lastAttempt.status === 'failed' ? current : undefined;
  }, { timeoutMs: 120_000, intervalMs: 500, what: 'the failed attempt in /status' });
  assert.match(app.lastAttempt!.message!, /health check GET \/healthz did not answer 2xx\/3xx within 4s \(last: HTTP 500\)/);
  assert.is(app.sync, 'OutOfSync');
  assert.is(app.health, 'Healthy');
  assert.is((await h.viaNginx(HOST)).body, 'Hello again, v2!\n');

  // Three more poll intervals: the same revision must not be tried again.
  await new Promise((resolve) => setTimeout(resolve, 7_000));
  const later = (await h.status()).repos[0]!.apps[0]!;
  assert.is(later.lastAttempt?.id, app.lastAttempt!.id);
  assert.match(later.held ?? '', /failed/);
  const starts = (await h.agentLog()).split('\n').filter((line) => line.includes('"deploy started"') && line.includes(sha));
  assert.is(starts.length, 1, 'the failed revision was deployed more than once');
  assert.equal((await h.containers()).map((info) => info.Id), containerIds);
});

deploy('an invalid nexus.yaml is reported with file:line:column and changes nothing', async ({ h, containerIds }) => {
  const sha = await h.push(await helloFiles((files) => {
    files['nexus.yaml'] = files['nexus.yaml']!.replace('port: 3000', 'port: 70000');
  }), 'invalid manifest');
  const repo = await waitFor(async () => {
    const current = (await h.status()).repos[0]!;
    return current.revision === sha && current.error ? current : undefined;
  }, { timeoutMs: 60_000, intervalMs: 500, what: 'the manifest error in /status' });
  assert.match(repo.error!, /^nexus\.yaml:8:11: apps\.hello\.port/m);
  assert.is(repo.problems?.[0]?.line, 8);
  assert.is((await h.viaNginx(HOST)).body, 'Hello again, v2!\n');
  assert.equal((await h.containers()).map((info) => info.Id), containerIds);
});

deploy('the agent shuts down cleanly on SIGTERM', async ({ h }) => {
  assert.is(await h.stopAgent(), 0);
  assert.match(await h.agentLog(), /"agent stopped"/);
});

deploy.run();
