/**
 * The build key on real services: what a commit rebuilds, what it only
 * redeploys, and what it leaves alone — in a monorepo of three kinds of app
 * plus two apps with identical contexts, and a root-context app with a
 * .dockerignore. Also: an app of no known kind is refused, and nothing runs
 * changes.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHarness, docker, type Harness } from './support/agent-harness.ts';
import { frameworkFixture } from './support/fixtures.ts';
import { waitFor } from './support/http.ts';
import type { DeploymentView } from '../agent/server/index.ts';

const APPS = ['site', 'twin', 'api', 'py', 'root'] as const;
type App = (typeof APPS)[number];

const builds = suite<{ h: Harness; files: Record<string, string> }>('builds');

const host = (h: Harness, app: App) => `${app}.${h.repo}.localhost`;

function manifest(h: Harness, pyGreeting: string): string {
  return [
    'version: 1',
    'apps:',
    ...(['site', 'twin'] as const).flatMap((app) => [`  ${app}:`, `    build: { context: apps/${app} }`, '    port: 8080', `    domains: [${host(h, app)}]`]),
    '  api:', '    build: { context: apps/api }', '    port: 3000', `    domains: [${host(h, 'api')}]`, '    health: { path: /healthz }',
    '  py:', '    build: { context: apps/py }', '    port: 8000', `    domains: [${host(h, 'py')}]`, `    env: { GREETING: "${pyGreeting}" }`,
    // The root context holds every folder above and nexus.yaml itself; its .dockerignore keeps only what its image needs.
    '  root:', '    port: 3000', `    domains: [${host(h, 'root')}]`, '    health: { path: /healthz }',
    '',
  ].join('\n');
}

async function repoFiles(h: Harness, pyGreeting = 'hello'): Promise<Record<string, string>> {
  const site = await frameworkFixture('static');
  const files: Record<string, string> = {
    ...prefixed(site, 'apps/site/'),
    ...prefixed(site, 'apps/twin/'),
    ...(await frameworkFixture('node', 'apps/api/')),
    ...(await frameworkFixture('python', 'apps/py/')),
    'README.md': '# a monorepo\n',
    'Dockerfile': 'FROM node:20-bookworm-slim\nWORKDIR /app\nCOPY . .\nUSER 1000\nCMD ["node", "root.js"]\n',
    '.dockerignore': 'apps\n*.md\n',
    'root.js': "require('http').createServer((q, s) => s.end(q.url === '/healthz' ? 'ok' : 'root v1')).listen(3000);\n",
    'nexus.yaml': manifest(h, pyGreeting),
  };
  return files;
}

function prefixed(files: Record<string, string>, prefix: string): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([path, content]) => [prefix + path, content]));
}

async function history(h: Harness, app: App): Promise<DeploymentView[]> {
  const result = await h.cli(['history', app, '--json']);
  if (result.code !== 0) throw new Error(result.stderr);
  return (JSON.parse(result.stdout) as { deployments: DeploymentView[] }).deployments;
}

async function containerIds(h: Harness): Promise<Record<App, string>> {
  const ids = {} as Record<App, string>;
  for (const info of await h.containers()) if (info.State === 'running') ids[info.Labels['nexus.app'] as App] = info.Id;
  return ids;
}

/** Pushes, waits until the agent applied that revision everywhere it should, and returns the new deployments per app. */
async function pushAndSettle(h: Harness, files: Record<string, string>, message: string, before: Record<App, number>): Promise<Record<App, DeploymentView[]>> {
  const sha = await h.push(files, message);
  await waitFor(async () => {
    const status = await h.status();
    const repo = status.repos[0];
    return repo?.revision === sha && repo.apps.length === APPS.length && repo.apps.every((app) => app.sync === 'Synced' && app.health === 'Healthy') ? true : undefined;
  }, { timeoutMs: 240_000, intervalMs: 500, what: `revision ${sha.slice(0, 7)} synced and healthy` });
  const fresh = {} as Record<App, DeploymentView[]>;
  for (const app of APPS) {
    const all = await history(h, app);
    fresh[app] = all.slice(0, all.length - before[app]);
  }
  return fresh;
}

async function counts(h: Harness): Promise<Record<App, number>> {
  const result = {} as Record<App, number>;
  for (const app of APPS) result[app] = (await history(h, app).catch(() => [])).length;
  return result;
}

builds.before(async (context) => {
  context.h = await createHarness({ interval: '2s', drain: '500ms' });
  await context.h.startAgent();
});

builds.after(async (context) => {
  await context.h?.cleanup();
});

builds('a monorepo of three kinds deploys every app; two identical contexts make one build', async (context) => {
  const { h } = context;
  context.files = await repoFiles(h);
  const zero = { site: 0, twin: 0, api: 0, py: 0, root: 0 };
  const fresh = await pushAndSettle(h, context.files, 'monorepo v1', zero);
  assert.match((await h.viaNginx(host(h, 'site'))).body, /Hello from static fixture/);
  assert.match((await h.viaNginx(host(h, 'twin'))).body, /Hello from static fixture/);
  assert.match((await h.viaNginx(host(h, 'api'))).body, /Hello from node fixture/);
  assert.match((await h.viaNginx(host(h, 'py'))).body, /Hello from python fixture/);
  assert.is((await h.viaNginx(host(h, 'root'))).body, 'root v1');
  // site and twin have the same files: one image, built once.
  const [site, twin] = [fresh.site[0]!, fresh.twin[0]!];
  assert.is(site.image, twin.image);
  assert.is([site.cached, twin.cached].filter((cached) => cached === false).length, 1, `site cached=${site.cached}, twin cached=${twin.cached}`);
  const images = await docker.listImages({ filters: { reference: [`nexus/${h.repo}/${h.repo}`] } });
  assert.is(images.length, 4, `images: ${images.map((image) => image.RepoTags).join(' ')}`);
});

builds('a commit touching one app folder rebuilds only that app', async (context) => {
  const { h } = context;
  const before = await counts(h);
  const ids = await containerIds(h);
  context.files['apps/api/server.js'] = context.files['apps/api/server.js']!.replace('Hello from node fixture', 'Hello from node fixture, v2');
  const fresh = await pushAndSettle(h, context.files, 'api v2', before);
  assert.is((await h.viaNginx(host(h, 'api'))).body.includes('v2'), true);
  assert.is(fresh.api.length, 1);
  assert.is(fresh.api[0]!.cached, false, 'api was not rebuilt');
  for (const app of ['site', 'twin', 'py', 'root'] as const) {
    assert.is(fresh[app].length, 0, `${app} was redeployed: ${fresh[app][0]?.reason}`);
    assert.is((await containerIds(h))[app], ids[app], `${app} container replaced`);
  }
});

builds('an env-only edit replaces only that app container, with no build', async (context) => {
  const { h } = context;
  const before = await counts(h);
  const ids = await containerIds(h);
  context.files['nexus.yaml'] = manifest(h, 'bonjour');
  const fresh = await pushAndSettle(h, context.files, 'py env', before);
  assert.is(fresh.py.length, 1);
  assert.is(fresh.py[0]!.cached, true, 'an env edit built an image');
  const after = await containerIds(h);
  assert.is.not(after.py, ids.py, 'py container not replaced');
  const inspected = await docker.getContainer(after.py).inspect();
  assert.ok(inspected.Config.Env.includes('GREETING=bonjour'));
  // nexus.yaml is in the root context, but never part of an image: root is untouched too.
  for (const app of ['site', 'twin', 'api', 'root'] as const) assert.is(fresh[app].length, 0, `${app} was redeployed: ${fresh[app][0]?.reason}`);
});

builds('a README-only commit rebuilds nothing when no image contains the README', async (context) => {
  const { h } = context;
  const before = await counts(h);
  const ids = await containerIds(h);
  context.files['README.md'] = '# a monorepo, documented\n';
  const fresh = await pushAndSettle(h, context.files, 'docs', before);
  for (const app of APPS) assert.is(fresh[app].length, 0, `${app} was redeployed: ${fresh[app][0]?.reason}`);
  assert.equal(await containerIds(h), ids);
  // ...and a file the root image does contain rebuilds root alone.
  context.files['root.js'] = context.files['root.js']!.replace('root v1', 'root v2');
  const changed = await pushAndSettle(h, context.files, 'root v2', await counts(h));
  assert.is(changed.root.length, 1);
  assert.is(changed.root[0]!.cached, false);
  assert.is((await h.viaNginx(host(h, 'root'))).body, 'root v2');
  for (const app of ['site', 'twin', 'api', 'py'] as const) assert.is(changed[app].length, 0);
});

builds('an app of no known kind is refused with what to add, and what runs keeps running', async (context) => {
  const { h } = context;
  const ids = await containerIds(h);
  const files: Record<string, string> = { ...context.files, 'apps/mystery/notes.txt': 'not an app\n' };
  files['nexus.yaml'] = `${manifest(h, 'bonjour')}  mystery:\n    build: { context: apps/mystery }\n    port: 3000\n`;
  const sha = await h.push(files, 'mystery app');
  const repo = await waitFor(async () => {
    const current = (await h.status()).repos[0];
    return current?.revision === sha && current.problems?.length ? current : undefined;
  }, { timeoutMs: 30_000, intervalMs: 300, what: 'the refusal in /status' });
  const problem = repo.problems![0]!;
  assert.is(problem.file, 'nexus.yaml');
  assert.ok(problem.line > 1, `not located: line ${problem.line}`);
  assert.match(problem.message, /no Dockerfile in apps\/mystery/);
  assert.match(problem.message, /add a Dockerfile to apps\/mystery, or set build\.framework/);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  assert.equal(await containerIds(h), ids);
  assert.match((await h.viaNginx(host(h, 'api'))).body, /v2/);
});

builds.run();
