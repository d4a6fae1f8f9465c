import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runDetect, type DetectOptions } from './detect.ts';

const folders: string[] = [];

/** A temp folder holding `files` (path → text). */
async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'nexus-detect-'));
  folders.push(dir);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return dir;
}

async function detect(options: Partial<DetectOptions> & { dir: string }): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: '', err: '' };
  out.on('data', (chunk: Buffer) => (chunks.out += chunk.toString()));
  err.on('data', (chunk: Buffer) => (chunks.err += chunk.toString()));
  const code = await runDetect({ json: false, dockerfile: false, ...options }, out, err);
  return { code, ...chunks };
}

const VITE_APP = {
  'package.json': JSON.stringify({ name: 'web', scripts: { dev: 'vite', build: 'vite build' }, devDependencies: { vite: '^5.0.0' } }),
  'package-lock.json': '{"lockfileVersion": 3}',
  'vite.config.ts': 'export default {};\n',
  'index.html': '<!doctype html><div id="app"></div>\n',
  'src/main.ts': 'console.log(1);\n',
};

test.after(async () => {
  await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })));
});

test('a vite app: one line naming the framework, its evidence, install, build and how it is served', async () => {
  const result = await detect({ dir: await folder(VITE_APP) });
  assert.is(result.code, 0, result.err);
  assert.is(result.out, 'vite: package.json depends on vite, vite.config.ts present; npm ci (package-lock.json); npm run build → dist; static (SPA fallback to index.html)\n');
});

test('--dockerfile adds the generated Dockerfile and nginx.conf with the given port and default images', async () => {
  const result = await detect({ dir: await folder(VITE_APP), dockerfile: true, port: '8080' });
  assert.is(result.code, 0, result.err);
  assert.match(result.out, /^--- \.nexus-build\/Dockerfile$/m);
  assert.match(result.out, /^FROM node:20-bookworm-slim AS build$/m);
  assert.match(result.out, /^COPY \["package\.json", "package-lock\.json", "\.\/"\]$/m);
  assert.match(result.out, /^EXPOSE 8080$/m);
  assert.match(result.out, /^--- \.nexus-build\/nginx\.conf$/m);
});

test('--json prints the Detection', async () => {
  const result = await detect({ dir: await folder(VITE_APP), json: true });
  const detection = JSON.parse(result.out) as { kind: string; build: string; output: string; installFiles: string[] };
  assert.is(detection.kind, 'vite');
  assert.is(detection.build, 'npm run build');
  assert.is(detection.output, 'dist');
  assert.equal(detection.installFiles, ['package.json', 'package-lock.json']);
});

test('a bare index.html is a static site', async () => {
  const result = await detect({ dir: await folder({ 'index.html': '<h1>hi</h1>\n', 'style.css': 'h1 {}\n' }) });
  assert.is(result.code, 0, result.err);
  assert.is(result.out, 'static: index.html present, no package.json; static\n');
});

test('files the build would not get are not seen: node_modules, and what .dockerignore excludes', async () => {
  // Only an ignored package.json would make this a node app.
  const dir = await folder({ 'index.html': '<h1>hi</h1>\n', 'node_modules/x/package.json': '{}', 'server/package.json': '{"scripts":{"start":"node ."}}', '.dockerignore': 'server\n' });
  const result = await detect({ dir });
  assert.is(result.out, 'static: index.html present, no package.json; static\n');
});

test('an unrecognised folder: exit 1 with what was looked for and what to add', async () => {
  const dir = await folder({ 'notes.txt': 'hello\n' });
  const result = await detect({ dir });
  assert.is(result.code, 1);
  assert.is(result.out, '');
  assert.match(result.err, /no known kind of app: looked for package\.json/);
  assert.match(result.err, /add a Dockerfile to .*nexus-detect-/);
  assert.match(result.err, /or set build\.framework/);
});

test('a folder with a Dockerfile is built from it, not detected', async () => {
  const result = await detect({ dir: await folder({ ...VITE_APP, Dockerfile: 'FROM scratch\n' }) });
  assert.is(result.code, 0);
  assert.match(result.out, /Dockerfile .*Dockerfile: built from its own Dockerfile \(detection is only for apps without one\)/);
});

test('nexus.yaml build settings and port of the app built from the folder apply', async () => {
  const dir = await folder({
    '.git/HEAD': 'ref: refs/heads/main\n',
    'nexus.yaml': 'version: 1\napps:\n  web:\n    build:\n      context: apps/web\n      command: npm run build:prod\n      output: build\n    port: 4000\n',
    'apps/web/package.json': JSON.stringify({ scripts: { build: 'vite build' }, devDependencies: { vite: '^5.0.0' } }),
  });
  const result = await detect({ dir: path.join(dir, 'apps/web'), dockerfile: true });
  assert.is(result.code, 0, result.err);
  assert.match(result.out, /^vite: package\.json depends on vite; npm install \(no lock file\); npm run build:prod → build; static \(SPA fallback to index\.html\); from nexus\.yaml: command, output\n/);
  assert.match(result.out, /^EXPOSE 4000$/m);
});

test('a path that is not a folder is a usage error', async () => {
  const result = await detect({ dir: path.join(tmpdir(), 'nexus-detect-does-not-exist') });
  assert.is(result.code, 2);
  assert.match(result.err, /is not a folder/);
});

test.run();
