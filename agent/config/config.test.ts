import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatProblem, type ManifestProblem } from '../manifest/index.ts';
import {
  AgentConfigNotFoundError,
  ALLOWED_INTERVALS_MS,
  intervalToCron,
  InvalidAgentConfigError,
  loadAgentConfig,
  parseAgentConfig,
  parseMemory,
  type AgentConfig,
} from './index.ts';

const FILE = '/etc/nexus/agent.yaml';
const REPO = 'repos:\n  - url: http://127.0.0.1:8418/demo.git\n';
const NGINX = 'nginx:\n  dir: /etc/nginx/conf.d/nexus\n';

function configOf(text: string, file = FILE): AgentConfig {
  const result = parseAgentConfig(text, file);
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.config;
}

function problemsOf(text: string): ManifestProblem[] {
  const result = parseAgentConfig(text, FILE);
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.config)}`);
  return result.problems;
}

/** A config whose only repo entry has the given extra lines (each indented under "- url"). */
const withRepo = (...lines: string[]) => `repos:\n  - url: http://127.0.0.1:8418/demo.git\n${lines.map((l) => `    ${l}\n`).join('')}${NGINX}`;

test('a minimal config gets every default', () => {
  assert.equal(configOf(REPO + NGINX), {
    file: FILE,
    name: 'nexus',
    dataDir: '/etc/nexus/.nexus',
    repos: [{
      name: 'demo',
      url: 'http://127.0.0.1:8418/demo.git',
      branch: 'main',
      intervalMs: 30_000,
      cron: '*/30 * * * * *',
      manifestPath: 'nexus.yaml',
    }],
    nginx: {
      dir: '/etc/nginx/conf.d/nexus',
      listen: '80',
      testCommand: ['nginx', '-t', '-q'],
      reloadCommand: ['nginx', '-s', 'reload'],
    },
    server: { host: '127.0.0.1', port: 7777 },
    docker: {},
    deploy: { drainMs: 2000, memoryBytes: 512 * 1024 ** 2, parallel: 4 },
    build: {
      timeoutMs: 15 * 60_000, memoryBytes: 2 * 1024 ** 3, cpus: 1, parallel: 2,
      images: { node: 'node:20-bookworm-slim', static: 'nginx:stable-bookworm', python: 'python:3.11-slim-bookworm' },
    },
    state: { url: undefined, urlEnv: undefined },
    database: { image: 'postgres:15-bookworm', adminUrlEnv: undefined },
  });
});

test('the example from the docs reads back as written', () => {
  const config = configOf([
    'dataDir: ./.nexus',
    'repos:',
    '  - name: demo',
    '    url: http://127.0.0.1:8418/demo.git',
    '    branch: main',
    '    interval: 10s',
    '    tokenEnv: GIT_TOKEN',
    '    manifest: deploy/nexus.yaml',
    'nginx:',
    '  dir: /etc/nginx/conf.d/nexus',
    '  listen: "127.0.0.1:8080"',
    '  test: [nginx, -t]',
    '  reload: [nginx, -s, reload]',
    'server:',
    '  listen: 0.0.0.0:7000',
    'docker:',
    '  socketPath: /var/run/docker.sock',
    'deploy:',
    '  drain: 500ms',
    '  memory: 1g',
  ].join('\n'));
  assert.equal(config.repos[0], {
    name: 'demo', url: 'http://127.0.0.1:8418/demo.git', branch: 'main',
    intervalMs: 10_000, cron: '*/10 * * * * *', tokenEnv: 'GIT_TOKEN', manifestPath: 'deploy/nexus.yaml',
  });
  assert.is(config.nginx.listen, '127.0.0.1:8080');
  assert.equal(config.nginx.testCommand, ['nginx', '-t']);
  assert.equal(config.server, { host: '0.0.0.0', port: 7000 });
  assert.equal(config.docker, { socketPath: '/var/run/docker.sock' });
  assert.equal(config.deploy, { drainMs: 500, memoryBytes: 1024 ** 3, parallel: 4 });
});

test('relative paths resolve against the config file folder, absolute ones stay', () => {
  const config = configOf(`dataDir: ./state\n${REPO}nginx:\n  dir: ../nginx/sites\ndocker:\n  socketPath: run/docker.sock\n`, 'conf/agent.yaml');
  const base = join(process.cwd(), 'conf');
  assert.is(config.file, join(base, 'agent.yaml'));
  assert.is(config.dataDir, join(base, 'state'));
  assert.is(config.nginx.dir, join(process.cwd(), 'nginx/sites'));
  assert.is(config.docker.socketPath, join(base, 'run/docker.sock'));
});

test('listen addresses: numbers, strings, IPv6; a bare server port stays on loopback', () => {
  const config = configOf(`${REPO}nginx:\n  dir: /n\n  listen: "[::]:8080"\nserver:\n  listen: 9000\n`);
  assert.is(config.nginx.listen, '[::]:8080');
  assert.equal(config.server, { host: '127.0.0.1', port: 9000 });
  const [problem] = problemsOf(`${REPO}${NGINX}server:\n  listen: "localhost:70000"\n`);
  assert.is(problem?.path, 'server.listen');
  assert.match(problem?.message ?? '', /outside 1-65535/);
});

test('intervals become node-cron expressions with a seconds field', () => {
  const cases: [string | number, string][] = [
    ['1s', '* * * * * *'], ['10s', '*/10 * * * * *'], ['30s', '*/30 * * * * *'], [15, '*/15 * * * * *'],
    ['60s', '0 * * * * *'], ['1m', '0 * * * * *'], ['5m', '0 */5 * * * *'], [120, '0 */2 * * * *'],
    ['30m', '0 */30 * * * *'], ['1h', '0 0 * * * *'], ['60m', '0 0 * * * *'],
  ];
  for (const [interval, cron] of cases) {
    const [repo] = configOf(withRepo(`interval: ${interval}`)).repos;
    assert.is(repo?.cron, cron, String(interval));
  }
  assert.is(ALLOWED_INTERVALS_MS.length, 23);
  for (const ms of ALLOWED_INTERVALS_MS) assert.type(intervalToCron(ms), 'string');
  assert.is(intervalToCron(7000), undefined);
});

test('an interval cron cannot express says why and suggests the nearest', () => {
  for (const [interval, nearest] of [['7s', '6s'], ['45s', '30s'], ['90s', '1m'], ['2h', '1h'], ['0s', '1s'], ['1500ms', '1s']]) {
    const problems = problemsOf(withRepo(`interval: ${interval}`));
    assert.is(problems.length, 1, interval);
    const [problem] = problems as [ManifestProblem];
    assert.is(`${problem.line}:${problem.column} ${problem.path}`, '3:15 repos[0].interval');
    assert.match(problem.message, /cron schedule/);
    assert.match(problem.message, /1, 2, 3, 4, 5, 6, 10, 12, 15, 20 or 30 seconds/);
    assert.ok(problem.message.endsWith(`the nearest is \`${nearest}\``), problem.message);
  }
});

test('duplicate repo names are reported on the second, explicit or derived', () => {
  const explicit = problemsOf(`repos:\n  - url: https://git.test/a/app.git\n    name: app\n  - url: https://git.test/b/other.git\n    name: app\n${NGINX}`);
  assert.equal(explicit.map((p) => `${p.line}:${p.column} ${p.path}`), ['5:11 repos[1].name']);
  assert.match(explicit[0]?.message ?? '', /repo name "app" is already used by repos\[0\]/);

  const derived = problemsOf(`repos:\n  - url: https://git.test/a/app.git\n  - url: https://git.test/b/app\n${NGINX}`);
  assert.equal(derived.map((p) => `${p.line}:${p.column} ${p.path}`), ['3:10 repos[1].url']);
  assert.match(derived[0]?.message ?? '', /add a different `name:`/);
});

test('a name that cannot be derived from the URL asks for `name:`', () => {
  const [problem] = problemsOf(`repos:\n  - url: https://git.test/team/My_App.git\n${NGINX}`);
  assert.is(problem?.path, 'repos[0].url');
  assert.match(problem?.message ?? '', /"my_app"\) — add `name:`/);
  assert.is(configOf(`repos:\n  - url: https://git.test/team/Demo.git/\n${NGINX}`).repos[0]?.name, 'demo');
});

test('only http(s) URLs, and never with credentials in them', () => {
  for (const url of ['ssh://git@git.test/app.git', 'git@git.test:team/app.git', 'ftp://git.test/app.git', '/srv/git/app.git']) {
    const [problem] = problemsOf(`repos:\n  - url: "${url}"\n${NGINX}`);
    assert.is(`${problem?.line}:${problem?.column} ${problem?.path}`, '2:10 repos[0].url', url);
    assert.match(problem?.message ?? '', /use the http:\/\/ or https:\/\/ URL/);
  }
  const [secret] = problemsOf(`repos:\n  - url: https://me:hunter2@git.test/app.git\n${NGINX}`);
  assert.match(secret?.message ?? '', /name that variable in `tokenEnv`/);
});

test('missing sections and unknown keys are located', () => {
  const problems = problemsOf(`${REPO}ngnix:\n  dir: /n\n`);
  assert.equal(problems.map((p) => `${p.line}:${p.column} ${p.path}`), ['1:1 nginx', '3:1 ngnix']);
  assert.match(problems[1]?.message ?? '', /did you mean "nginx"/);
});

test('memory limits: Docker units, and Docker\'s 6 MiB floor', () => {
  const cases: [string, number | undefined][] = [
    ['512m', 512 * 1024 ** 2], ['1g', 1024 ** 3], ['1.5G', 1.5 * 1024 ** 3], ['64k', 65_536], ['256mb', 256 * 1024 ** 2],
    ['1024', 1024], ['100b', 100], ['12 m', undefined], ['1t', undefined], ['', undefined], ['-1m', undefined],
  ];
  for (const [text, bytes] of cases) assert.is(parseMemory(text), bytes, text);
  const [problem] = problemsOf(`${REPO}${NGINX}deploy:\n  memory: 4m\n`);
  assert.match(problem?.message ?? '', /below 6 MiB/);
});

test('loadAgentConfig: a missing file, an invalid file and a good one', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nexus-config-'));
  try {
    const missing = join(dir, 'nope.yaml');
    const notFound = await loadAgentConfig(missing).catch((e: unknown) => e);
    assert.instance(notFound, AgentConfigNotFoundError);
    assert.match((notFound as Error).message, /does not exist/);

    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, `${REPO}${NGINX}deploy:\n  drain: soon\n  memory: lots\n`);
    const invalid = await loadAgentConfig(bad).catch((e: unknown) => e);
    assert.instance(invalid, InvalidAgentConfigError);
    const error = invalid as InvalidAgentConfigError;
    assert.is(error.code, 'INVALID_AGENT_CONFIG');
    assert.equal(error.message.split('\n'), error.data.problems.map(formatProblem));
    assert.equal(error.data.problems.map((p) => p.path), ['deploy.drain', 'deploy.memory']);

    const good = join(dir, 'agent.yaml');
    await writeFile(good, REPO + NGINX);
    const config = await loadAgentConfig(good);
    assert.is(config.dataDir, join(dir, '.nexus'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
