import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import configSchema from '../../schema/agent-config.schema.json' with { type: 'json' };
import manifestSchema from '../../schema/nexus.schema.json' with { type: 'json' };
import { runSecretEncrypt } from '../cli/secret.ts';
import { NexusError } from '../errors/index.ts';
import { decryptManifestValue, loadOrCreateAgentKey } from '../secrets/index.ts';
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
      build: { context: '.' },
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

test('good/secrets.yaml: plain values in env, secret references in secrets, database kept', () => {
  const [web, worker] = manifestOf(read('good', 'secrets.yaml')).apps;
  assert.equal(web?.env, { NODE_ENV: 'production' });
  assert.equal(Object.keys(web?.secrets ?? {}), ['STRIPE_KEY', 'MAILER_PASSWORD', 'API_TOKEN', 'SAME_TOKEN_FOLDED']);
  assert.equal(web?.secrets?.STRIPE_KEY, { kind: 'stored', name: 'STRIPE_KEY' });
  assert.equal(web?.secrets?.MAILER_PASSWORD, { kind: 'stored', name: 'MAIL_PW_2024' });
  const token = web?.secrets?.API_TOKEN;
  assert.is(token?.kind, 'encrypted');
  assert.match(token?.kind === 'encrypted' ? token.ciphertext : '', /^-----BEGIN AGE ENCRYPTED FILE-----\n[A-Za-z0-9+/=\n]+\n-----END AGE ENCRYPTED FILE-----\n$/);
  // A folded (`>`) copy of the same armor is the same ciphertext, so the spec hash does not depend on the YAML style.
  assert.equal(web?.secrets?.SAME_TOKEN_FOLDED, token);
  assert.is(web?.database, 'postgres');
  // Without `database`, DATABASE_URL is an ordinary value.
  assert.equal(worker?.env, { DATABASE_URL: 'postgres://worker@db.example.test/jobs' });
  assert.is(worker?.database, undefined);
});

test('an app without secrets or database has neither key, so its spec (and spec hash) did not change', () => {
  const [web] = manifestOf(read('good', 'full.yaml')).apps;
  assert.not.ok(web !== undefined && 'secrets' in web);
  assert.not.ok(web !== undefined && 'database' in web);
});

test('the line `nexus secret encrypt` prints pastes into nexus.yaml and decrypts with the agent key', async () => {
  const key = await loadOrCreateAgentKey(mkdtempSync(path.join(os.tmpdir(), 'nexus-manifest-')));
  const value = 'sk_live_"quoted"\nsecond line ✓';
  let line = '';
  const out = { write: (chunk: string) => { line += chunk; return true; } } as unknown as NodeJS.WritableStream;
  assert.is(await runSecretEncrypt({ key: 'STRIPE_KEY', value, recipient: key.recipient }, out), 0);
  assert.match(line, /^STRIPE_KEY: \{ encrypted: "-----BEGIN AGE ENCRYPTED FILE-----\\n.+" \}\n$/);
  assert.not.ok(line.includes('sk_live'));
  for (const indent of ['      ', '          ']) {
    const [web] = manifestOf(`version: 1\napps:\n  web:\n    port: 3000\n    env:\n${indent}${line}`).apps;
    const ref = web?.secrets?.STRIPE_KEY;
    assert.is(ref?.kind, 'encrypted');
    assert.is(await decryptManifestValue(ref?.kind === 'encrypted' ? ref.ciphertext : '', key.identity), value);
  }
});

test('nexus secret encrypt: agent.pub from the data folder, or a clear error without it', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nexus-manifest-'));
  const key = await loadOrCreateAgentKey(dataDir);
  let line = '';
  const out = { write: (chunk: string) => { line += chunk; return true; } } as unknown as NodeJS.WritableStream;
  await runSecretEncrypt({ key: 'API_TOKEN', value: 'tok-123456', dataDir }, out);
  const armored = JSON.parse(/encrypted: (".*") \}$/.exec(line.trim())?.[1] ?? '""') as string;
  assert.is(await decryptManifestValue(armored, key.identity), 'tok-123456');

  const empty = mkdtempSync(path.join(os.tmpdir(), 'nexus-manifest-'));
  const cases: [Parameters<typeof runSecretEncrypt>[0], string][] = [
    [{ key: 'API_TOKEN', value: 'tok-123456', dataDir: empty }, 'AGENT_PUBLIC_KEY_MISSING'],
    [{ key: 'API_TOKEN', value: 'tok-123456', recipient: 'age1nope' }, 'INVALID_RECIPIENT'],
    [{ key: 'tok-123456', value: 'x', recipient: key.recipient }, 'INVALID_ENV_KEY'],
    [{ key: 'API_TOKEN', value: '', recipient: key.recipient }, 'EMPTY_SECRET'],
  ];
  for (const [options, code] of cases) {
    const error = await runSecretEncrypt(options, out).catch((e: unknown) => e);
    assert.instance(error, NexusError);
    assert.is((error as NexusError).code, code);
    assert.not.ok((error as Error).message.includes('tok-123456'), (error as Error).message);
  }
});

test('a secret pasted where a ciphertext or a secret name belongs is never repeated in a problem', () => {
  const value = 'Sup3r-S3cret!';
  for (const entry of [`{ encrypted: "${value}" }`, `{ secret: "${value}" }`, `{ encrypted: 12345678 }`]) {
    const problems = problemsOf(`version: 1\napps:\n  web:\n    port: 3000\n    env:\n      KEY: ${entry}\n`);
    assert.is(problems.length, 1, entry);
    assert.not.ok(formatProblem(problems[0]!).includes(value), formatProblem(problems[0]!));
    assert.not.ok(formatProblem(problems[0]!).includes('12345678'), formatProblem(problems[0]!));
  }
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
