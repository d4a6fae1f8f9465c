/**
 * Benchmark (not a test): the cost of a no-op reconcile as the number of
 * apps grows. Deploys N tiny apps (10, 50, 100) from one repo with the real
 * agent code (real git smart HTTP, dockerd, nginx), then times no-op cycles
 * and counts the Docker API calls each makes, through a counting proxy on
 * the Docker socket.
 *
 *   npm run bench               # sizes 10 50 100, 15 no-op cycles each
 *   npm run bench -- 10 50      # chosen sizes
 *
 * Prints one row per size: median and p90 of a full poll cycle (git fetch +
 * observe + plan, nothing to apply), median of observe + plan alone, Docker
 * API calls per cycle (all, and mutating), and the time the deploy took.
 * Everything runs on loopback; everything made is removed at the end.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { loadAgentConfig } from '../../agent/config/index.ts';
import { silentLogger } from '../../agent/log/index.ts';
import { buildReconciler, loadAgentSecrets } from '../../agent/cli/agent.ts';
import { openStore } from '../../state/index.ts';
import { startGitServer } from '../support/git-server.ts';
import { pushFolder, removeWorkClones } from '../support/git-push.ts';
import { startNginx } from '../support/nginx.ts';
import { startDockerProxy } from '../support/docker-proxy.ts';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const SIZES = sizes.length > 0 ? sizes : [10, 50, 100];
const NOOP_CYCLES = 15;

const SERVER_JS = `require('node:http').createServer((q, s) => s.end(q.url === '/healthz' ? 'ok' : 'tiny')).listen(process.env.PORT);\n`;
const DOCKERFILE = 'FROM node:20-bookworm-slim\nCOPY server.js /app/server.js\nCMD ["node", "/app/server.js"]\n';

function manifest(count: number): string {
  const lines = ['version: 1', 'apps:'];
  for (let index = 1; index <= count; index += 1) {
    lines.push(`  app${index}:`, '    port: 3000', `    domains: [app${index}.bench.localhost]`, '    health: { path: /healthz, timeout: 30s }');
  }
  return `${lines.join('\n')}\n`;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const p90 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.9))]!;

const name = `bench${randomBytes(3).toString('hex')}`;
const docker = new Docker();
const git = await startGitServer();
const nginx = await startNginx();
const proxy = await startDockerProxy();
const dataDir = await mkdtemp(path.join(tmpdir(), 'nexus-bench-'));
const remote = await git.createRepo(name);
const configFile = path.join(dataDir, 'agent.yaml');
await writeFile(configFile, [
  `name: ${name}`, `dataDir: ${dataDir}`,
  'repos:', `  - name: ${name}`, `    url: ${remote}`, '    interval: 30s',
  'nginx:', `  dir: ${nginx.sitesDir}`, `  listen: "127.0.0.1:${nginx.port}"`,
  `  test: ${JSON.stringify(nginx.testCommand)}`, `  reload: ${JSON.stringify(nginx.reloadCommand)}`,
  'docker:', `  socketPath: ${proxy.socketPath}`,
  'deploy:', '  drain: 0s', '  memory: 64m', '  parallel: 4', '',
].join('\n'));

const rows: string[] = [];
try {
  const config = await loadAgentConfig(configFile);
  const store = await openStore({ dataDir });
  const reconciler = await buildReconciler(config, silentLogger, store, await loadAgentSecrets(dataDir));
  const repo = config.repos[0]!;

  for (const size of SIZES) {
    await pushFolder({ remote, files: { 'server.js': SERVER_JS, Dockerfile: DOCKERFILE, 'nexus.yaml': manifest(size) }, message: `${size} apps` });
    const deployStart = performance.now();
    const deployed = await reconciler.runCycle({ fetch: [repo], trigger: 'manual' });
    const deployMs = performance.now() - deployStart;
    const failed = deployed.outcomes.filter((outcome) => !outcome.ok);
    if (failed.length > 0) throw new Error(`${failed.length} actions failed, first: ${failed[0]!.message}`);

    const cycleMs: number[] = [];
    const observeMs: number[] = [];
    const calls: number[] = [];
    const mutating: number[] = [];
    for (let run = 0; run < NOOP_CYCLES; run += 1) {
      const since = proxy.calls.length;
      const start = performance.now();
      const report = await reconciler.runCycle({ fetch: [repo], trigger: 'poll' });
      cycleMs.push(performance.now() - start);
      if (report.plan.actions.length > 0) throw new Error(`cycle ${run} at ${size} apps was not a no-op: ${report.plan.actions[0]!.reason}`);
      const made = proxy.calls.slice(since);
      calls.push(made.length);
      mutating.push(made.filter((call) => call.method !== 'GET' && call.method !== 'HEAD').length);

      const observeStart = performance.now();
      await reconciler.preview();
      observeMs.push(performance.now() - observeStart);
    }
    rows.push([
      String(size).padStart(5),
      `${median(cycleMs).toFixed(1)} ms`.padStart(10), `${p90(cycleMs).toFixed(1)} ms`.padStart(10),
      `${median(observeMs).toFixed(1)} ms`.padStart(12),
      String(median(calls)).padStart(11), String(Math.max(...mutating)).padStart(9),
      `${(deployMs / 1000).toFixed(1)} s`.padStart(12),
    ].join('  '));
    process.stderr.write(`${size} apps measured\n`);
  }
  await store.close();
} finally {
  // Remove everything the benchmark made: containers, images, nginx, git, data.
  const containers = await docker.listContainers({ all: true, filters: { label: [`nexus.agent=${name}`] } });
  await Promise.all(containers.map((info) => docker.getContainer(info.Id).remove({ force: true }).catch(() => undefined)));
  const images = await docker.listImages({ filters: { reference: [`nexus/${name}/*`] } });
  for (const image of images) await docker.getImage(image.Id).remove({ force: true }).catch(() => undefined);
  await proxy.close();
  await nginx.stop();
  await git.close();
  await removeWorkClones();
  await rm(dataDir, { recursive: true, force: true });
}

console.log(`no-op reconcile, ${NOOP_CYCLES} cycles per size (${new Date().toISOString().slice(0, 10)}, ${process.version})`);
console.log('  apps  cycle p50   cycle p90   observe+plan  docker/cycle  mutating  first deploy');
for (const row of rows) console.log(row);
