import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NexusError } from '../../errors/index.ts';
import { detectApp, explainDetection, UnrecognisedAppError, type Detection } from './detect.ts';
import type { FileTree } from './tree-fs.ts';

/** An in-memory build context: path → text. */
function tree(files: Record<string, string>): FileTree {
  return {
    paths: Object.keys(files),
    read: async (path) => new TextEncoder().encode(files[path] ?? ''),
  };
}

const pkg = (value: object) => JSON.stringify(value);

/** The part of a detection a case states; everything else is left out of the comparison. */
function pick(detection: Detection, keys: (keyof Detection)[]): Partial<Detection> {
  return Object.fromEntries(keys.map((key) => [key, detection[key]]));
}

interface Case {
  name: string;
  files: Record<string, string>;
  expect: Partial<Detection>;
}

const cases: Case[] = [
  {
    name: 'Next.js with output: standalone runs server.js',
    files: {
      'package.json': pkg({ dependencies: { next: '14.2.0', react: '18.3.1' }, scripts: { build: 'next build' } }),
      'package-lock.json': '{}',
      'next.config.mjs': "const config = { output: 'standalone' };\nexport default config;\n",
    },
    expect: {
      kind: 'nextjs', runtime: 'node', reasons: ['package.json depends on next', 'next.config.mjs present'],
      install: 'npm ci', installFiles: ['package.json', 'package-lock.json'], build: 'npm run build', output: '.next',
      standalone: true, start: 'node server.js', spaFallback: false, overridden: [],
    },
  },
  {
    name: 'Next.js without standalone output runs its own next binary',
    files: {
      'package.json': pkg({ dependencies: { next: '14.2.0' }, scripts: { build: 'next build' } }),
      'package-lock.json': '{}',
      'next.config.mjs': 'export default { reactStrictMode: true };\n',
    },
    expect: { kind: 'nextjs', runtime: 'node', standalone: false, start: 'node_modules/.bin/next start', output: '.next' },
  },
  {
    name: 'Vite with vite.config.ts is a static SPA built to dist',
    files: {
      'package.json': pkg({ devDependencies: { vite: '5.2.0', typescript: '5.4.0' }, scripts: { build: 'tsc && vite build' } }),
      'package-lock.json': '{}',
      'vite.config.ts': 'export default {};\n',
      'index.html': '<!doctype html><div id="app"></div>',
      'src/main.ts': '',
    },
    expect: {
      kind: 'vite', runtime: 'static', reasons: ['package.json depends on vite', 'vite.config.ts present'],
      install: 'npm ci', build: 'npm run build', output: 'dist', start: undefined, spaFallback: true, overridden: [],
    },
  },
  {
    name: 'Astro is a static site built to dist, without SPA fallback',
    files: {
      'package.json': pkg({ dependencies: { astro: '4.5.0' }, scripts: { build: 'astro build' } }),
      'package-lock.json': '{}',
      'astro.config.mjs': 'export default {};\n',
    },
    expect: { kind: 'astro', runtime: 'static', reasons: ['package.json depends on astro', 'astro.config.mjs present'], build: 'npm run build', output: 'dist', spaFallback: false },
  },
  {
    name: 'Nuxt runs the Nitro server from .output',
    files: {
      'package.json': pkg({ dependencies: { nuxt: '3.11.0' }, scripts: { build: 'nuxt build' } }),
      'package-lock.json': '{}',
      'nuxt.config.ts': 'export default defineNuxtConfig({});\n',
    },
    expect: { kind: 'nuxt', runtime: 'node', reasons: ['package.json depends on nuxt', 'nuxt.config.ts present'], output: '.output', start: 'node .output/server/index.mjs' },
  },
  {
    name: 'SvelteKit runs adapter-node output from build',
    files: {
      'package.json': pkg({ devDependencies: { '@sveltejs/kit': '2.5.0', '@sveltejs/adapter-node': '5.0.0', vite: '5.2.0' }, scripts: { build: 'vite build' } }),
      'package-lock.json': '{}',
      'svelte.config.js': 'export default {};\n',
      'vite.config.js': 'export default {};\n',
    },
    expect: { kind: 'sveltekit', runtime: 'node', reasons: ['package.json depends on @sveltejs/kit', 'svelte.config.js present'], output: 'build', start: 'node build' },
  },
  {
    name: 'plain Node with a start script starts with npm start',
    files: { 'package.json': pkg({ scripts: { start: 'node app.js' } }), 'package-lock.json': '{}', 'app.js': '' },
    expect: { kind: 'node', runtime: 'node', reasons: ['package.json has a start script'], build: undefined, output: undefined, start: 'npm start' },
  },
  {
    name: 'plain Node with only main runs node <main>',
    files: { 'package.json': pkg({ main: 'lib/index.js' }), 'lib/index.js': '' },
    expect: { kind: 'node', runtime: 'node', reasons: ['package.json main lib/index.js'], start: 'node lib/index.js' },
  },
  {
    name: 'plain Node with only server.js runs node server.js',
    files: { 'package.json': pkg({ name: 'api', version: '1.0.0' }), 'server.js': '' },
    expect: { kind: 'node', runtime: 'node', start: 'node server.js' },
  },
  {
    name: 'index.html without package.json is a static site served as committed',
    files: { 'index.html': '<h1>hi</h1>', 'style.css': '' },
    expect: {
      kind: 'static', runtime: 'static', reasons: ['index.html present, no package.json'], packageManager: undefined,
      install: undefined, installFiles: [], build: undefined, output: '.', start: undefined, spaFallback: false,
    },
  },
  {
    name: 'Python main.py without requirements installs nothing',
    files: { 'main.py': 'print("hi")\n' },
    expect: { kind: 'python', runtime: 'python', reasons: ['main.py present'], packageManager: undefined, install: undefined, installFiles: [], start: 'python main.py' },
  },
  {
    name: 'Python main.py with requirements.txt installs them with pip',
    files: { 'main.py': '', 'requirements.txt': 'requests==2.31.0\n' },
    expect: {
      kind: 'python', runtime: 'python', reasons: ['main.py present', 'requirements.txt present'],
      install: 'pip install --no-cache-dir -r requirements.txt', installFiles: ['requirements.txt'], start: 'python main.py',
    },
  },
  {
    name: 'Python app.py',
    files: { 'app.py': '' },
    expect: { kind: 'python', reasons: ['app.py present'], start: 'python app.py' },
  },
];

for (const item of cases) {
  test(`detects ${item.name}`, async () => {
    const detection = await detectApp(tree(item.files), '.');
    assert.equal(pick(detection, Object.keys(item.expect) as (keyof Detection)[]), item.expect);
  });
}

test('Python with Flask in requirements.txt is still python, installed with pip', async () => {
  const detection = await detectApp(tree({ 'app.py': '', 'requirements.txt': 'flask==3.0.0\n' }), '.');
  assert.equal(pick(detection, ['kind', 'runtime', 'install', 'start']), { kind: 'python', runtime: 'python', install: 'pip install --no-cache-dir -r requirements.txt', start: 'python app.py' });
  assert.ok(detection.reasons.includes('requirements.txt present'), detection.reasons.join(', '));
});

interface ManagerCase {
  name: string;
  files: Record<string, string>;
  expect: { name: string; install: string; installFiles: string[]; reason: string; setup?: string };
}

const start = pkg({ scripts: { start: 'node server.js' } });
const managerCases: ManagerCase[] = [
  {
    name: 'no lock file: npm install, never yarn',
    files: { 'package.json': start, 'server.js': '' },
    expect: { name: 'npm', install: 'npm install', installFiles: ['package.json'], reason: 'npm install (no lock file)' },
  },
  {
    name: 'package-lock.json: npm ci',
    files: { 'package.json': start, 'package-lock.json': '{}', 'server.js': '' },
    expect: { name: 'npm', install: 'npm ci', installFiles: ['package.json', 'package-lock.json'], reason: 'npm ci (package-lock.json)' },
  },
  {
    name: 'pnpm-lock.yaml: pnpm with a frozen lock file',
    files: { 'package.json': start, 'pnpm-lock.yaml': '', 'server.js': '' },
    expect: { name: 'pnpm', install: 'pnpm install --frozen-lockfile', installFiles: ['package.json', 'pnpm-lock.yaml'], reason: 'pnpm (pnpm-lock.yaml)', setup: 'npm install -g --force pnpm@latest' },
  },
  {
    name: 'packageManager pnpm@9.1.0 wins over a package-lock.json',
    files: { 'package.json': pkg({ packageManager: 'pnpm@9.1.0', scripts: { start: 'node server.js' } }), 'package-lock.json': '{}', 'server.js': '' },
    expect: { name: 'pnpm', install: 'pnpm install', installFiles: ['package.json'], reason: 'pnpm (packageManager pnpm@9.1.0)', setup: 'npm install -g --force pnpm@9.1.0' },
  },
];

for (const item of managerCases) {
  test(`package manager: ${item.name}`, async () => {
    const detection = await detectApp(tree(item.files), '.');
    const manager = detection.packageManager!;
    assert.ok(manager, 'a package manager for an app with package.json');
    assert.equal(
      { name: manager.name, install: detection.install, installFiles: detection.installFiles, reason: manager.reason, ...(manager.setup ? { setup: manager.setup } : {}) },
      item.expect,
    );
  });
}

test('an unrecognised folder throws UnrecognisedAppError saying what was looked for and what to do', async () => {
  try {
    await detectApp(tree({ 'README.md': '# hello\n' }), 'web');
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.instance(error, UnrecognisedAppError);
    const err = error as UnrecognisedAppError;
    assert.is(err.code, 'APP_NOT_RECOGNISED');
    assert.equal(err.data, { context: 'web' });
    for (const named of ['package.json', 'index.html', 'main.py', 'add a Dockerfile to web', 'set build.framework']) {
      assert.ok(err.message.includes(named), `message names ${named}: ${err.message}`);
    }
  }
});

test('a package.json with nothing to start (and no framework) is unrecognised, and says so', async () => {
  try {
    await detectApp(tree({ 'package.json': pkg({ name: 'x', scripts: { build: 'tsc' } }) }), '.');
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.instance(error, UnrecognisedAppError);
    assert.match((error as Error).message, '(package.json has none of these)');
    assert.match((error as Error).message, 'no Dockerfile in the repository root');
  }
});

test('a node app with package.json but no start script, main or entry point fails with APP_NOT_STARTABLE', async () => {
  try {
    await detectApp(tree({ 'package.json': pkg({ name: 'x' }), 'README.md': '' }), 'api', { framework: 'node' });
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.instance(error, NexusError);
    assert.is((error as NexusError).code, 'APP_NOT_STARTABLE');
    assert.equal((error as NexusError).data, { context: 'api' });
    assert.match((error as Error).message, 'set build.start');
  }
});

test('override: framework static on a folder with package.json', async () => {
  const files = { 'package.json': pkg({ scripts: { build: 'node make.js' } }), 'index.html': '', 'make.js': '' };
  const detection = await detectApp(tree(files), '.', { framework: 'static' });
  assert.equal(pick(detection, ['kind', 'runtime', 'reasons', 'output', 'spaFallback', 'overridden']), {
    kind: 'static', runtime: 'static', reasons: ['build.framework in nexus.yaml'], output: '.', spaFallback: false, overridden: ['framework'],
  });
});

test('override: command, output and start replace the detected ones and are listed', async () => {
  const files = { 'package.json': pkg({ devDependencies: { vite: '5.2.0' }, scripts: { build: 'vite build' } }), 'package-lock.json': '{}', 'vite.config.ts': '' };
  const detection = await detectApp(tree(files), '.', { command: 'npm run build:prod', output: 'public', start: 'npx serve public' });
  assert.equal(pick(detection, ['kind', 'install', 'build', 'output', 'start', 'overridden']), {
    kind: 'vite', install: 'npm ci', build: 'npm run build:prod', output: 'public', start: 'npx serve public', overridden: ['command', 'output', 'start'],
  });
});

test('override: every field, framework first', async () => {
  const files = { 'package.json': pkg({ name: 'x' }), 'dist/server.js': '' };
  const detection = await detectApp(tree(files), '.', { framework: 'node', install: 'npm ci --omit=dev', command: 'npm run compile', output: 'dist', start: 'node dist/server.js' });
  assert.equal(pick(detection, ['kind', 'install', 'build', 'output', 'start', 'overridden']), {
    kind: 'node', install: 'npm ci --omit=dev', build: 'npm run compile', output: 'dist', start: 'node dist/server.js', overridden: ['framework', 'install', 'command', 'output', 'start'],
  });
});

test('explainDetection: the vite case in one line', async () => {
  const files = { 'package.json': pkg({ devDependencies: { vite: '5.2.0' }, scripts: { build: 'vite build' } }), 'package-lock.json': '{}', 'vite.config.ts': '', 'index.html': '' };
  const detection = await detectApp(tree(files), '.');
  assert.is(explainDetection(detection), 'vite: package.json depends on vite, vite.config.ts present; npm ci (package-lock.json); npm run build → dist; static (SPA fallback to index.html)');
});

test('explainDetection: node and python runtimes name their start command; overrides are named', async () => {
  const node = await detectApp(tree({ 'package.json': pkg({ scripts: { start: 'node app.js' } }), 'app.js': '' }), '.');
  assert.is(explainDetection(node), 'node: package.json has a start script; npm install (no lock file); node: npm start');
  const python = await detectApp(tree({ 'main.py': '' }), '.');
  assert.is(explainDetection(python), 'python: main.py present; python: python main.py');
  const overridden = await detectApp(tree({ 'package.json': start, 'server.js': '' }), '.', { install: 'npm ci --omit=dev' });
  assert.is(explainDetection(overridden), 'node: server.js present; npm ci --omit=dev; node: npm start; from nexus.yaml: install');
});

// --- hostile package.json (the pusher writes it) ---------------------------

test('a main holding a newline or shell syntax is ignored, so it reaches neither the Dockerfile nor a terminal', async () => {
  for (const main of ['x\nUSER root\nRUN curl evil', 'a.js; rm -rf /', '\u001b[31mred.js']) {
    const pkg = JSON.stringify({ main, scripts: { build: 'tsc' } });
    const refused = await detectApp(tree({ 'package.json': pkg }), '.').then(() => undefined, (error: Error) => error.message);
    assert.match(refused ?? 'detected', /no known kind of app/);
    const forced = await detectApp(tree({ 'package.json': pkg, 'server.js': '' }), '.', { framework: 'node' });
    assert.is(forced.start, 'node server.js');
    assert.not.match(explainDetection(forced), /[\u0000-\u001f]/);
  }
});

test('only the vouched-for part of packageManager is shown', async () => {
  const pkg = JSON.stringify({ packageManager: 'pnpm@9.1.0\u001b]0;pwned\u0007', scripts: { start: 'node s.js' } });
  const detection = await detectApp(tree({ 'package.json': pkg, 's.js': '' }), '.');
  assert.is(detection.packageManager?.reason, 'pnpm (packageManager pnpm@9.1.0)');
  assert.not.match(explainDetection(detection), /[\u0000-\u001f]/);
});

test.run();
