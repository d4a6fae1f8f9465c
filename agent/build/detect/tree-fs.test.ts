import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TreeDetectorFs, type FileTree } from './tree-fs.ts';

const FILES: Record<string, string> = {
  'package.json': '{"name":"root"}',
  'src/index.ts': 'export {};',
  'src/lib/util.ts': 'export const x = 1;',
  'apps/web/package.json': '{"name":"web"}',
  'apps/web/next.config.mjs': 'export default {};',
};

/** A tree that records what was read, to show reads go through it. */
function tree(): FileTree & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    paths: Object.keys(FILES),
    read: async (path) => {
      reads.push(path);
      return new TextEncoder().encode(FILES[path]);
    },
  };
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

test('hasPath: files and folders (with or without a trailing slash), and the root', async () => {
  const fs = new TreeDetectorFs(tree());
  const cases: [string, boolean][] = [
    ['package.json', true],
    ['src/index.ts', true],
    ['src', true],
    ['src/', true],
    ['src/lib', true],
    ['apps/web', true],
    ['.', true],
    ['missing.json', false],
    ['sr', false],
    ['src/lib/util', false],
  ];
  for (const [path, expected] of cases) assert.is(await fs.hasPath(path), expected, path);
});

test('isFile: true for files only', async () => {
  const fs = new TreeDetectorFs(tree());
  const cases: [string, boolean][] = [
    ['package.json', true],
    ['src/lib/util.ts', true],
    ['src', false],
    ['apps/web', false],
    ['missing.json', false],
  ];
  for (const [path, expected] of cases) assert.is(await fs.isFile(path), expected, path);
});

test('readFile: the blob through the tree; a missing file is ENOENT', async () => {
  const files = tree();
  const fs = new TreeDetectorFs(files);
  assert.is((await fs.readFile('src/index.ts')).toString('utf8'), 'export {};');
  assert.equal(files.reads, ['src/index.ts']);
  try {
    await fs.readFile('missing.json');
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.is((error as NodeJS.ErrnoException).code, 'ENOENT');
  }
});

test('readdir of the root: direct children once each, folders as dir', async () => {
  const fs = new TreeDetectorFs(tree());
  const expected = [
    { name: 'apps', path: 'apps', type: 'dir' },
    { name: 'package.json', path: 'package.json', type: 'file' },
    { name: 'src', path: 'src', type: 'dir' },
  ];
  assert.equal((await fs.readdir('')).sort(byName), expected);
  assert.equal((await fs.readdir('.')).sort(byName), expected);
});

test('readdir of a subfolder', async () => {
  const fs = new TreeDetectorFs(tree());
  assert.equal((await fs.readdir('src')).sort(byName), [
    { name: 'index.ts', path: 'src/index.ts', type: 'file' },
    { name: 'lib', path: 'src/lib', type: 'dir' },
  ]);
  assert.equal(await fs.readdir('src/lib'), [{ name: 'util.ts', path: 'src/lib/util.ts', type: 'file' }]);
});

test('chdir: later paths are relative to the new folder', async () => {
  const files = tree();
  const web = new TreeDetectorFs(files).chdir('apps/web');
  assert.is(await web.hasPath('package.json'), true);
  assert.is(await web.isFile('next.config.mjs'), true);
  assert.is(await web.hasPath('src'), false, 'the root\'s src is not under apps/web');
  assert.is((await web.readFile('package.json')).toString('utf8'), '{"name":"web"}');
  assert.equal(files.reads, ['apps/web/package.json']);
  assert.equal((await web.readdir('.')).map(({ name, type }) => ({ name, type })).sort(byName), [
    { name: 'next.config.mjs', type: 'file' },
    { name: 'package.json', type: 'file' },
  ]);
  // `..` leads back out, as on a disk.
  assert.is((await web.readFile('../../package.json')).toString('utf8'), '{"name":"root"}');
});

test('chdir twice composes', async () => {
  const web = new TreeDetectorFs(tree()).chdir('apps').chdir('web');
  assert.is((await web.readFile('package.json')).toString('utf8'), '{"name":"web"}');
});

test.run();
