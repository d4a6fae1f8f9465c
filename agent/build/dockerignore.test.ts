import dockerignoreModule from '@balena/dockerignore';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileDockerignore, DockerignoreTooLargeError, DOCKERIGNORE_LIMITS } from './dockerignore.ts';

// The library's CommonJS default export, as the differential oracle for ordinary patterns.
const balena = ((dockerignoreModule as unknown as { default?: typeof dockerignoreModule }).default ?? dockerignoreModule) as unknown as () => import('@balena/dockerignore').Ignore;

const PATHS = [
  'README.md', 'docs/guide.md', 'src/README.md', 'src/index.ts', 'src/lib/util.ts', 'node_modules/a/index.js', 'a/node_modules/b.js',
  'build/out.js', 'logs/today.log', 'src/deep/x.log', 'Dockerfile', '.env', '.env.local', 'test/a.test.ts', 'data[1].csv', 'x?y',
  'temp1/file', 'tempA/file', 'src/generated/api.ts', 'vendor/keep/me.go', 'vendor/drop.go',
];

const CASES: string[][] = [
  ['*.md'],
  ['*.md', '!README.md'],
  ['**/*.md', '!src/README.md'],
  ['node_modules', '**/node_modules'],
  ['docs/', 'build'],
  ['**/*.log'],
  ['.env*'],
  ['temp?'],
  ['temp[0-9]'],
  ['temp[^0-9]'],
  ['src/**/api.ts'],
  ['vendor', '!vendor/keep'],
  ['/build', './docs'],
  ['*', '!src', '!Dockerfile'],
  ['# a comment', '', '  *.md  '],
  ['test/**'],
];

for (const patterns of CASES) {
  test(`agrees with @balena/dockerignore on ${JSON.stringify(patterns)}`, () => {
    const ours = compileDockerignore(patterns);
    const theirs = balena().add(patterns);
    for (const path of PATHS) assert.is(ours.ignores(path), theirs.ignores(path), `${path}`);
  });
}

test('nested ** patterns that blow up a backtracking regex are decided at once', () => {
  const attack = `${Array.from({ length: 40 }, () => '**').join('/')}/x`;
  const deep = `${Array.from({ length: 60 }, () => 'a').join('/')}/y`;
  const ignore = compileDockerignore([attack, 'a*a*a*a*a*a*a*a*a*a*a*a*b']);
  assert.is(ignore.ignores(deep), false);
  assert.is(ignore.ignores(`${deep}/x`.replace('/y/x', '/x')), true);
  assert.is(ignore.ignores('a'.repeat(255)), false);
});

test('characters that are special in regexes are literal', () => {
  const ignore = compileDockerignore(['foo(', 'a+b', '{x}', 'c|d', 'e.f']);
  assert.is(ignore.ignores('foo('), true);
  assert.is(ignore.ignores('aab'), false);
  assert.is(ignore.ignores('a+b'), true);
  assert.is(ignore.ignores('{x}'), true);
  assert.is(ignore.ignores('c|d'), true);
  assert.is(ignore.ignores('eXf'), false);
});

test('a .dockerignore past the limits is refused with its line', () => {
  const long = 'x'.repeat(DOCKERIGNORE_LIMITS.lineLength + 1);
  assert.throws(() => compileDockerignore(['ok', long]), (error: unknown) => error instanceof DockerignoreTooLargeError && error.line === 2);
  const many = Array.from({ length: DOCKERIGNORE_LIMITS.lines + 1 }, (_, index) => `f${index}`);
  assert.throws(() => compileDockerignore(many), (error: unknown) => error instanceof DockerignoreTooLargeError && /more than 500 patterns/.test(error.message));
});

test.run();
