import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatProblems, parseManifest } from '../../manifest/index.ts';
import { mergeManifest, readOtherApps, type MergeInput } from './manifest-merge.ts';

const APP: MergeInput['app'] = { port: 3000, domains: [], healthPath: '/healthz', database: null, framework: 'node', env: [] };

function merge(manifestText: string | undefined, app: Partial<MergeInput['app']> = {}): string {
  const result = mergeManifest({ manifestText, manifestPath: 'nexus.yaml', appName: 'todo', appFolder: 'apps/todo', app: { ...APP, ...app } });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  const parsed = parseManifest(result.text, 'nexus.yaml');
  if (!parsed.ok) throw new Error(formatProblems(parsed.problems));
  return result.text;
}

const ENTRY = (indent: string) => `${indent}todo:
${indent}  build:
${indent}    context: apps/todo
${indent}    framework: node
${indent}  port: 3000
${indent}  health:
${indent}    path: /healthz
`;

test('an entry in the middle is replaced in place; the text around it is kept', () => {
  const head = 'version: 1\napps:\n  web:\n    port: 80 # front\n  # the todo app\n';
  const tail = '  api:\n    build: { context: apps/api }\n    port: 8080\n# end\n';
  const text = merge(`${head}  todo:\n    port: 1\n    domains: [a.example.test]\n\n${tail}`);
  assert.is(text, `${head}${ENTRY('  ')}\n${tail}`);
});

test('a quoted key and an empty entry are replaced too', () => {
  assert.is(merge('version: 1\napps:\n  web: { port: 80 }\n  "todo":\n'), `version: 1\napps:\n  web: { port: 80 }\n${ENTRY('  ')}`);
});

test('a manifest without a final newline gets the entry on a line of its own', () => {
  assert.is(merge('version: 1\napps:\n  web:\n    port: 80'), `version: 1\napps:\n  web:\n    port: 80\n${ENTRY('  ')}`);
});

test('the file\'s own indentation is used', () => {
  const text = merge('version: 1\napps:\n    web:\n        port: 80\n');
  assert.is(text, 'version: 1\napps:\n    web:\n        port: 80\n    todo:\n        build:\n            context: apps/todo\n            framework: node\n        port: 3000\n        health:\n            path: /healthz\n');
});

test('a manifest of comments only, or with an empty apps, gets the app', () => {
  assert.is(merge('# nothing yet\n'), `# nothing yet\n\nversion: 1\napps:\n${ENTRY('  ')}`);
  assert.is(merge('version: 1\napps:\n'), `version: 1\napps:\n${ENTRY('  ')}`);
  assert.is(merge(undefined), `version: 1\napps:\n${ENTRY('  ')}`);
});

test('env keeps the answer\'s order, quotes what YAML would misread, and keeps secrets', () => {
  const before = 'version: 1\napps:\n  todo:\n    port: 1\n    env:\n      OLD: plain\n      KEY: { secret: KEY }\n';
  const text = merge(before, { env: [{ name: 'PORT_HINT', value: '3000' }, { name: 'FLAG', value: 'true' }, { name: 'HASH', value: '# not a comment' }] });
  const parsed = parseManifest(text, 'nexus.yaml');
  assert.ok(parsed.ok);
  if (!parsed.ok) return;
  assert.equal(parsed.manifest.apps[0]!.env, { PORT_HINT: '3000', FLAG: 'true', HASH: '# not a comment' });
  assert.equal(parsed.manifest.apps[0]!.secrets, { KEY: { kind: 'stored', name: 'KEY' } });
});

test('an anchor of the old entry that another app uses: refused, never thrown', () => {
  const manifestText = 'version: 1\napps:\n  todo:\n    port: &port 3000\n  web:\n    port: *port\n';
  const result = mergeManifest({ manifestText, manifestPath: 'nexus.yaml', appName: 'todo', appFolder: 'apps/todo', app: APP });
  assert.not.ok(result.ok);
});

test('a manifest whose apps is not a map is refused, not overwritten', () => {
  const result = mergeManifest({ manifestText: 'version: 1\napps: [web]\n', manifestPath: 'nexus.yaml', appName: 'todo', appFolder: 'apps/todo', app: APP });
  assert.equal(result, { ok: false, problems: ['`apps` in nexus.yaml is not a map of apps by name; fix it before adding app "todo".'] });
});

test('other apps\' contexts are read even from a manifest that does not validate', () => {
  const text = 'version: 1\napps:\n  web:\n    build: { context: ./apps/web/ }\n    port: 99999\n  site:\n    port: 80\n  todo:\n    port: 1\n';
  assert.equal(readOtherApps(text, 'nexus.yaml', 'todo'), [{ name: 'web', context: 'apps/web' }, { name: 'site', context: '.' }]);
  assert.equal(readOtherApps(undefined, 'nexus.yaml', 'todo'), []);
  assert.equal(readOtherApps('apps: [', 'nexus.yaml', 'todo'), []);
});

test.run();
