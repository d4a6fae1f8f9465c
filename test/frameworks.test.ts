/**
 * Push framework source without a Dockerfile → live through nginx, for
 * every supported kind, on the real services: the agent detects the kind
 * from the git tree, generates the Dockerfile, builds with dockerd
 * (installing the real framework packages from npm inside the build) and
 * serves through a real nginx.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHarness, docker, type Harness } from './support/agent-harness.ts';
import { frameworkFixture } from './support/fixtures.ts';
import { waitFor } from './support/http.ts';

interface Kind {
  kind: string;
  port: number;
  /** What the agent must detect (the start of `nexus plan`'s build line). */
  detected: RegExp;
}

const KINDS: Kind[] = [
  { kind: 'nextjs', port: 3000, detected: /^nextjs: package\.json depends on next, next\.config\.mjs present; npm ci \(package-lock\.json\); npm run build → \.next; node: node server\.js$/ },
  { kind: 'vite', port: 8080, detected: /^vite: package\.json depends on vite, vite\.config\.ts present; npm ci \(package-lock\.json\); npm run build → dist; static \(SPA fallback to index\.html\)$/ },
  { kind: 'astro', port: 8080, detected: /^astro: package\.json depends on astro, astro\.config\.mjs present; npm ci \(package-lock\.json\); npm run build → dist; static$/ },
  { kind: 'nuxt', port: 3000, detected: /^nuxt: package\.json depends on nuxt, nuxt\.config\.ts present; npm ci \(package-lock\.json\); npm run build → \.output; node: node \.output\/server\/index\.mjs$/ },
  { kind: 'sveltekit', port: 3000, detected: /^sveltekit: .*package\.json depends on @sveltejs\/kit.*; npm ci \(package-lock\.json\); npm run build → build; node: node build$/ },
  { kind: 'static', port: 8080, detected: /^static: index\.html present, no package\.json; static$/ },
  { kind: 'node', port: 3000, detected: /^node: server\.js present; npm ci \(package-lock\.json\); node: npm start$/ },
  { kind: 'python', port: 8000, detected: /^python: main\.py present, requirements\.txt present; pip install --no-cache-dir -r requirements\.txt; python: python main\.py$/ },
];

const frameworks = suite<{ h: Harness; repoOf: Map<string, string> }>('frameworks');

const hostOf = (h: Harness, kind: string) => `${kind}.${h.repo}.localhost`;

function manifest(h: Harness, item: Kind, extra = ''): string {
  return `version: 1\napps:\n  ${item.kind}:\n    port: ${item.port}\n    domains: [${hostOf(h, item.kind)}]\n    health: { path: /, timeout: 60s }\n${extra}`;
}

frameworks.before(async (context) => {
  context.h = await createHarness({ interval: '3s', drain: '1s', extraRepos: KINDS.length - 1, buildExtra: ['parallel: 2', 'timeout: 10m'] });
  const repos = [context.h.repo, ...context.h.extra.map((item) => item.name)];
  context.repoOf = new Map(KINDS.map((item, index) => [item.kind, repos[index]!]));
  await context.h.startAgent();
});

frameworks.after(async (context) => {
  await context.h?.cleanup();
});

/** The page of a kind through nginx, checked for the fixture's text (for Vite, in the JS bundle the page loads). */
async function servedText(h: Harness, kind: string): Promise<boolean> {
  const page = await h.viaNginx(hostOf(h, kind)).catch(() => undefined);
  if (page?.status !== 200) return false;
  if (kind !== 'vite') return page.body.includes(`Hello from ${kind} fixture`);
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(page.body)?.[1];
  if (!script) return false;
  const bundle = await h.viaNginx(hostOf(h, kind), script);
  return bundle.status === 200 && bundle.body.includes('Hello from vite fixture');
}

frameworks('every kind, pushed without a Dockerfile, is detected, built and served through nginx', async ({ h, repoOf }) => {
  const started = Date.now();
  for (const [index, item] of KINDS.entries()) {
    const files = { ...(await frameworkFixture(item.kind)), 'nexus.yaml': manifest(h, item) };
    assert.not.ok(Object.keys(files).some((file) => /(^|\/)Dockerfile$/.test(file)), `${item.kind} fixture must not bring a Dockerfile`);
    if (index === 0) await h.push(files, `${item.kind} app`);
    else await h.extra[index - 1]!.push(files, `${item.kind} app`);
  }
  const served = new Map<string, number>();
  await waitFor(async () => {
    for (const item of KINDS) if (!served.has(item.kind) && await servedText(h, item.kind)) served.set(item.kind, Date.now() - started);
    const status = await h.status();
    const failed = status.repos.flatMap((repo) => repo.apps).filter((app) => app.lastAttempt?.status === 'failed');
    if (failed.length > 0) throw new Error(`deploy failed: ${failed.map((app) => `${app.name}: ${app.lastAttempt?.message}`).join('\n')}`);
    return served.size === KINDS.length;
  }, { timeoutMs: 20 * 60_000, intervalMs: 2_000, what: 'every framework fixture served through nginx' });
  console.log(`  served after (s): ${KINDS.map((item) => `${item.kind} ${(served.get(item.kind)! / 1000).toFixed(0)}`).join(', ')}`);

  for (const item of KINDS) {
    const containers = await docker.listContainers({ filters: { label: [`nexus.repo=${repoOf.get(item.kind)}`, `nexus.app=${item.kind}`] } });
    assert.is(containers.length, 1, `${item.kind}: one container`);
    const inspected = await docker.getContainer(containers[0]!.Id).inspect();
    // Generated images never run the app as root.
    assert.is(inspected.Config.User, '10001:10001', `${item.kind} runs as ${inspected.Config.User || 'root'}`);
  }
});

frameworks('the Vite SPA answers unknown paths with index.html; the static site does not', async ({ h }) => {
  const deep = await h.viaNginx(hostOf(h, 'vite'), '/some/client/route');
  assert.is(deep.status, 200);
  assert.match(deep.body, /<div id="root">/);
  const missing = await h.viaNginx(hostOf(h, 'static'), '/no/such/page');
  assert.is(missing.status, 404);
  const about = await h.viaNginx(hostOf(h, 'static'), '/about.html');
  assert.is(about.status, 200);
});

frameworks('nexus plan explains what each app is built as and why', async ({ h }) => {
  const result = await h.cli(['plan', '--json']);
  assert.is(result.code, 0, result.stderr);
  // Converged: nothing to do; the explanation of each build is in the history instead.
  const status = await h.status();
  for (const item of KINDS) {
    const app = status.repos.flatMap((repo) => repo.apps).find((candidate) => candidate.name === item.kind);
    assert.ok(app?.build, `${item.kind}: status has no build explanation`);
    assert.match(app.build, item.detected, `${item.kind}: ${app.build}`);
  }
});

/** Pushes new files to a kind's repo. */
async function pushKind(h: Harness, kind: string, files: Record<string, string>, message: string): Promise<string> {
  const index = KINDS.findIndex((item) => item.kind === kind);
  return index === 0 ? h.push(files, message) : h.extra[index - 1]!.push(files, message);
}

async function lastAttempt(h: Harness, kind: string, sha: string) {
  return waitFor(async () => {
    const app = (await h.status()).repos.flatMap((repo) => repo.apps).find((candidate) => candidate.name === kind);
    const done = app?.lastAttempt && app.lastAttempt.revision === sha && (app.lastAttempt.status === 'success' || app.lastAttempt.status === 'failed');
    return done ? app : undefined;
  }, { timeoutMs: 600_000, intervalMs: 500, what: `${kind} at ${sha.slice(0, 7)} to finish` });
}

/** The step of a build log that runs `command`, and whether Docker reused its layer. */
function layerReused(log: string, command: string): boolean {
  const step = log.split(/^Step \d+\/\d+ : /m).find((part) => part.startsWith(`RUN ${command}`));
  return step !== undefined && /^ ---> Using cache$/m.test(step);
}

frameworks('a TypeScript error fails the build with its lines in status and nexus logs; the old release keeps serving', async ({ h }) => {
  const vite = KINDS.find((item) => item.kind === 'vite')!;
  const broken: Record<string, string> = { ...(await frameworkFixture('vite')), 'nexus.yaml': manifest(h, vite) };
  broken['src/App.tsx'] = `import { nope } from './missing-module';\n${broken['src/App.tsx']!.replace('<h1>', '<h1>{nope}')}`;
  const sha = await pushKind(h, 'vite', broken, 'vite: broken import');
  const app = await lastAttempt(h, 'vite', sha);
  assert.is(app.lastAttempt!.status, 'failed');
  assert.match(app.lastAttempt!.message!, /npm run build failed \(exit code \d+\)/);
  assert.match(app.lastAttempt!.message!, /src\/App\.tsx.*error TS2307/);
  assert.ok(await servedText(h, 'vite'), 'the old vite release stopped serving');
  const logs = await h.cli(['logs', 'vite', '--build']);
  assert.is(logs.code, 0, logs.stderr);
  assert.match(logs.stdout, /error TS2307: Cannot find module '\.\/missing-module'/);
});

frameworks('a source-only change reuses the dependency layer (Vite and Next.js) and goes live', async ({ h }) => {
  for (const kind of ['vite', 'nextjs']) {
    const item = KINDS.find((candidate) => candidate.kind === kind)!;
    const files: Record<string, string> = { ...(await frameworkFixture(kind)), 'nexus.yaml': manifest(h, item) };
    const page = kind === 'vite' ? 'src/App.tsx' : 'app/page.js';
    // Unique per run: the machine's layer cache may hold an earlier run's v2, and then the build step itself would be reused too.
    files[page] = files[page]!.replace(`Hello from ${kind} fixture`, `Hello from ${kind} fixture, v2 of ${h.repo}`);
    const sha = await pushKind(h, kind, files, `${kind}: copy change`);
    const app = await lastAttempt(h, kind, sha);
    assert.is(app.lastAttempt!.status, 'success', app.lastAttempt!.message);
    const logs = await h.cli(['logs', kind, '--build']);
    assert.ok(layerReused(logs.stdout, 'npm ci'), `${kind}: npm ci ran again:\n${logs.stdout.slice(0, 3000)}`);
    assert.not.ok(layerReused(logs.stdout, 'npm run build'), `${kind}: the build step itself was cached`);
    await waitFor(async () => servedText(h, kind).then(async (ok) => ok && (kind === 'vite' || (await h.viaNginx(hostOf(h, kind))).body.includes(`v2 of ${h.repo}`))), { timeoutMs: 30_000, intervalMs: 500, what: `${kind} v2 served` });
  }
});

frameworks('nexus detect prints the kind and commands of each fixture folder', async ({ h }) => {
  for (const item of KINDS) {
    const result = await h.cli(['detect', `test/fixtures/frameworks/${item.kind}`]);
    assert.is(result.code, 0, result.stderr);
    assert.match(result.stdout.trim().split('\n')[0]!, item.detected);
  }
});

frameworks.run();
