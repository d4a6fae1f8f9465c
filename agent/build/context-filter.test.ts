import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TreeEntry } from '../source/index.ts';
import { filterContext, type ContextRules } from './context-filter.ts';

const entries = (paths: string[]): TreeEntry[] => paths.map((path, index) => ({ path, mode: 0o100644, oid: `oid${index}` }));
const kept = (paths: string[], rules: ContextRules) => filterContext(entries(paths), rules).map((entry) => entry.path);

const DOCKERIGNORE = ['# docs and logs stay out', '*.md', '!README.md', 'docs/', '**/*.log', ''].join('\n');

interface Case {
  path: string;
  kept: boolean;
  why: string;
}

// Docker's rules (Go filepath.Match plus `**`), not .gitignore's: `*.md` matches at the root only.
const dockerignoreCases: Case[] = [
  { path: 'README.md', kept: true, why: '!README.md re-includes it' },
  { path: 'CHANGELOG.md', kept: false, why: '*.md' },
  { path: 'src/notes.md', kept: true, why: '*.md matches at the root only' },
  { path: 'docs/guide.md', kept: false, why: 'docs/' },
  { path: 'docs/img/logo.png', kept: false, why: 'docs/ takes the whole folder' },
  { path: 'debug.log', kept: false, why: '**/*.log at the root' },
  { path: 'src/server.log', kept: false, why: '**/*.log in a folder' },
  { path: 'a/b/c/deep.log', kept: false, why: '**/*.log at any depth' },
  { path: 'src/index.ts', kept: true, why: 'not ignored' },
  { path: 'package.json', kept: true, why: 'not ignored' },
  { path: 'node_modules/x/index.js', kept: true, why: 'an app with its own Dockerfile decides for itself' },
];

test('.dockerignore is applied with Docker\'s semantics', () => {
  const result = kept(dockerignoreCases.map((item) => item.path), { dockerignore: DOCKERIGNORE, generated: false, exclude: [] });
  for (const item of dockerignoreCases) {
    assert.is(result.includes(item.path), item.kept, `${item.path} ${item.kept ? 'kept' : 'dropped'}: ${item.why}`);
  }
});

test('CRLF line endings in .dockerignore work the same', () => {
  const paths = dockerignoreCases.map((item) => item.path);
  assert.equal(
    kept(paths, { dockerignore: DOCKERIGNORE.replace(/\n/g, '\r\n'), generated: false, exclude: [] }),
    kept(paths, { dockerignore: DOCKERIGNORE, generated: false, exclude: [] }),
  );
});

const generatedCases: Case[] = [
  { path: 'node_modules/react/index.js', kept: false, why: 'root node_modules' },
  { path: 'packages/ui/node_modules/x/index.js', kept: false, why: 'nested node_modules' },
  { path: '.next/cache/webpack/x.pack', kept: false, why: '.next' },
  { path: '.nuxt/app.js', kept: false, why: '.nuxt' },
  { path: '.output/server/index.mjs', kept: false, why: '.output' },
  { path: '__pycache__/main.cpython-311.pyc', kept: false, why: 'root __pycache__' },
  { path: 'app/__pycache__/views.cpython-311.pyc', kept: false, why: 'nested __pycache__' },
  { path: '.venv/bin/python', kept: false, why: '.venv' },
  { path: '.git/HEAD', kept: false, why: '.git' },
  { path: 'src/app.tsx', kept: true, why: 'source' },
  { path: 'src/node_modules.ts', kept: true, why: 'a file merely named like the folder' },
  { path: 'package-lock.json', kept: true, why: 'lock file' },
];

test('generated builds drop dependency folders and build output of a developer\'s machine', () => {
  const result = kept(generatedCases.map((item) => item.path), { generated: true, exclude: [] });
  for (const item of generatedCases) {
    assert.is(result.includes(item.path), item.kept, `${item.path} ${item.kept ? 'kept' : 'dropped'}: ${item.why}`);
  }
});

test('an app with its own Dockerfile and no .dockerignore gets every file', () => {
  const paths = generatedCases.map((item) => item.path).filter((path) => !path.startsWith('.git/'));
  assert.equal(kept(paths, { generated: false, exclude: [] }), paths);
});

test('generated ignores and the app\'s .dockerignore add up', () => {
  assert.equal(
    kept(['node_modules/a.js', 'CHANGELOG.md', 'README.md', 'src/a.ts'], { dockerignore: DOCKERIGNORE, generated: true, exclude: [] }),
    ['README.md', 'src/a.ts'],
  );
});

test('the manifest path in exclude is never sent, even when nothing ignores it', () => {
  assert.equal(
    kept(['nexus.yaml', 'web/nexus.yaml', 'index.html'], { generated: true, exclude: ['nexus.yaml'] }),
    ['web/nexus.yaml', 'index.html'],
  );
});

test('the Dockerfile is kept even when .dockerignore lists it', () => {
  const rules: ContextRules = { dockerignore: 'Dockerfile\n.dockerignore\ndocker/\n', generated: false, exclude: [], dockerfile: 'Dockerfile' };
  assert.equal(kept(['Dockerfile', '.dockerignore', 'docker/entry.sh', 'app.js'], rules), ['Dockerfile', 'app.js']);
  assert.equal(kept(['docker/Dockerfile.prod', 'docker/entry.sh', 'app.js'], { ...rules, dockerfile: 'docker/Dockerfile.prod' }), ['docker/Dockerfile.prod', 'app.js']);
});

test('an ignore-everything .dockerignore with exceptions', () => {
  const rules: ContextRules = { dockerignore: '*\n!src\n!package.json\n', generated: false, exclude: [], dockerfile: 'Dockerfile' };
  assert.equal(kept(['Dockerfile', 'package.json', 'src/a.ts', 'src/b/c.ts', 'secrets.env', 'tests/a.test.ts'], rules), ['Dockerfile', 'package.json', 'src/a.ts', 'src/b/c.ts']);
});

test('entries come back unchanged and in order', () => {
  const input = entries(['b.txt', 'a.txt', 'CHANGELOG.md']);
  const result = filterContext(input, { dockerignore: DOCKERIGNORE, generated: false, exclude: [] });
  assert.equal(result, [input[0], input[1]]);
  assert.is(result[0], input[0]);
});

test.run();
