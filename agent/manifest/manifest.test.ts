import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import configSchema from '../../schema/agent-config.schema.json' with { type: 'json' };
import manifestSchema from '../../schema/nexus.schema.json' with { type: 'json' };
import { NexusError } from '../errors/index.ts';
import { formatProblem, InvalidManifestError, parseDuration, parseManifest, type ManifestProblem } from './index.ts';

const fixtures = new URL('../../test/fixtures/manifests/', import.meta.url);
const read = (kind: 'good' | 'bad', name: string) => readFileSync(new URL(`${kind}/${name}`, fixtures), 'utf8');
const badFixtures = readdirSync(new URL('bad/', fixtures)).filter((f) => f.endsWith('.yaml')).sort();

function problemsOf(text: string, file = 'nexus.yaml'): ManifestProblem[] {
  const result = parseManifest(text, file);
  if (result.ok) throw new Error(`expected problems, got a manifest: ${JSON.stringify(result.manifest)}`);
  return result.problems;
}

function manifestOf(text: string) {
  const result = parseManifest(text, 'nexus.yaml');
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.manifest;
}

test('there are enough bad fixtures to cover the rules', () => {
  assert.ok(badFixtures.length >= 14, `only ${badFixtures.length} bad fixtures`);
});

for (const name of badFixtures) {
  test(`bad/${name}: one problem at the expected place`, () => {
    const text = read('bad', name);
    const expect = /^# expect: (\d+):(\d+) (.+)$/m.exec(text.split('\n')[0] ?? '');
    assert.ok(expect, `${name} must start with "# expect: <line>:<column> <message part>"`);
    const problems = problemsOf(text, name);
    assert.is(problems.length, 1, problems.map(formatProblem).join('\n'));
    const [problem] = problems as [ManifestProblem];
    assert.is(`${problem.line}:${problem.column}`, `${expect[1]}:${expect[2]}`, formatProblem(problem));
    assert.ok(problem.message.includes(expect[3] ?? ''), `"${problem.message}" lacks "${expect[3]}"`);
    assert.is(problem.file, name);
    // Messages speak to people, not in JSON Schema terms.
    assert.not.match(problem.message, /must match pattern|must NOT|must have required|\^\[|instancePath/);
  });
}

test('good/minimal.yaml gets every default', () => {
  assert.equal(manifestOf(read('good', 'minimal.yaml')), {
    version: 1,
    apps: [{
      name: 'web',
      build: { context: '.', dockerfile: 'Dockerfile' },
      port: 3000,
      domains: [],
      health: { path: '/', timeoutMs: 30_000 },
      env: {},
    }],
  });
});

test('good/full.yaml keeps what is written, normalising the context', () => {
  const [web] = manifestOf(read('good', 'full.yaml')).apps;
  assert.equal(web, {
    name: 'web',
    build: { context: 'apps/web', dockerfile: 'docker/Dockerfile.prod' },
    port: 3000,
    domains: ['web.example.test', 'www.example.test'],
    health: { path: '/healthz', timeoutMs: 120_000 },
    env: { NODE_ENV: 'production', PORT: '3000', _FLAG: 'true' },
  });
});

test('good/monorepo.yaml: apps sorted by name, durations in ms', () => {
  const { apps } = manifestOf(read('good', 'monorepo.yaml'));
  assert.equal(apps.map((a) => a.name), ['admin-ui', 'api', 'worker']);
  assert.equal(apps.map((a) => a.health.timeoutMs), [30_000, 500, 45_000]);
  assert.equal(apps[1]?.build, { context: 'services/api', dockerfile: 'api.Dockerfile' });
});

test('formatProblem reads like a compiler error', () => {
  const [problem] = problemsOf('version: 1\napps:\n  web:\n    port: 70000\n');
  assert.is(formatProblem(problem!), 'nexus.yaml:4:11: apps.web.port: must be at most 65535 — use the port the app listens on inside the container (1-65535)');
});

test('all problems come back at once, in file order', () => {
  const problems = problemsOf('version: 1\napps:\n  web:\n    port: 0\n    envv: {}\n  API:\n    port: 80\n');
  assert.equal(problems.map((p) => `${p.line}:${p.column} ${p.path}`), ['4:11 apps.web.port', '5:5 apps.web.envv', '6:3 apps.API']);
});

test('a duplicate domain inside one app points at the second copy', () => {
  const [problem] = problemsOf('version: 1\napps:\n  web:\n    port: 1\n    domains: [a.test, b.test, a.test]\n');
  assert.is(problem?.path, 'apps.web.domains[2]');
  assert.is(problem?.column, 31);
  assert.match(problem?.message ?? '', /"a.test" is listed twice/);
});

test('an empty value points at its key', () => {
  const [problem] = problemsOf('version: 1\napps:\n  web:\n    port:\n');
  assert.is(`${problem?.line}:${problem?.column}`, '4:5');
  assert.match(problem?.message ?? '', /has no value; it must be a whole number/);
});

test('never throws on hostile or odd input', () => {
  const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) =>
    `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
  for (const text of ['', '\0', '[[[', '- 1\n- 2', 'null', '"just a string"', 'a: *missing', laughs, 'version: 1\n---\napps: {}']) {
    const result = parseManifest(text, 'nexus.yaml');
    assert.is(result.ok, false, text);
  }
});

test('aliases resolve, and problems under them point at the anchored text', () => {
  const manifest = manifestOf('version: 1\napps:\n  web: &base\n    port: 3000\n  copy: *base\n');
  assert.equal(manifest.apps.map((a) => a.port), [3000, 3000]);
  const problems = problemsOf('version: 1\napps:\n  web: &base\n    port: 0\n  copy: *base\n');
  assert.equal(problems.map((p) => `${p.line}:${p.column} ${p.path}`), ['4:11 apps.web.port', '4:11 apps.copy.port']);
});

test('InvalidManifestError carries the problems and formats them one per line', () => {
  const problems = problemsOf('version: 3\napps: {}\n');
  const error = new InvalidManifestError(problems);
  assert.instance(error, NexusError);
  assert.is(error.code, 'INVALID_MANIFEST');
  assert.is(error.data.problems, problems);
  assert.equal(error.message.split('\n'), problems.map(formatProblem));
});

test('parseDuration reads the forms users write', () => {
  const cases: [string | number, number | undefined][] = [
    ['500ms', 500], ['30s', 30_000], ['2m', 120_000], ['1h', 3_600_000], ['1.5s', 1500],
    [30, 30_000], ['30', 30_000], [0.25, 250], [0, 0], [' 10s ', 10_000],
    ['30 seconds', undefined], ['-1s', undefined], ['', undefined], ['s', undefined], ['1d', undefined],
    [-5, undefined], [Number.NaN, undefined], [Number.POSITIVE_INFINITY, undefined],
  ];
  for (const [input, expected] of cases) assert.is(parseDuration(input), expected, JSON.stringify(input));
});

// Both schemas rely on `errorMessage` for the hint after the dash (and
// editors show it), so a constrained node without one is a bug.
test('every constrained field of both published schemas explains itself', () => {
  assertHints(manifestSchema, 'nexus.schema.json#');
  assertHints(configSchema, 'agent-config.schema.json#');
});

function assertHints(node: unknown, where: string): void {
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Record<string, unknown>;
  const constrained = ['type', 'pattern', 'const', 'minimum', 'minItems', 'minProperties'].some((k) => k in schema);
  if (constrained && !('$ref' in schema)) assert.type(schema.errorMessage, 'string', `${where} has no errorMessage`);
  for (const [key, child] of Object.entries(schema)) {
    if (typeof child === 'object' && child !== null) assertHints(child, `${where}/${key}`);
  }
}

test.run();
