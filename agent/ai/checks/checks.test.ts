import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatProblems, parseManifest } from '../../manifest/index.ts';
import { checkAnswer, DEFAULT_ANSWER_LIMITS, InvalidCheckInputError, type Answer, type CheckInput, type CheckResult } from './index.ts';

const SYMLINK = 0o120000;
const FILE = 0o100644;

// The other app, written the way people write YAML: comments, flow maps,
// odd spacing. Its text must come out of every merge byte for byte.
const WEB_BLOCK = `  web:   # the shop front
    build: {context: apps/web}
    port: 8080
    domains: [web.example.test]
    env:
      NODE_ENV:   production
      LONG: "${'x'.repeat(120)}"
`;
const MANIFEST = `# yaml-language-server: $schema=schema/nexus.schema.json
version: 1
apps:
${WEB_BLOCK}
  # docs live inside the todo folder (an odd layout, but the operator's)
  docs:
    build: { context: apps/todo/docs }
    port: 80
`;

const REPO: Record<string, string> = {
  'nexus.yaml': MANIFEST,
  'apps/web/package.json': '{"scripts":{"start":"node server.js"}}',
  'apps/web/server.js': 'require("http").createServer().listen(8080)',
  'apps/todo/docs/index.html': '<h1>docs</h1>',
  'apps/todo/public': '../../shared/public',
  'apps/todo/notes': 'a file, not a folder',
};
const REPO_FILES = Object.keys(REPO).map((path) => ({ path, mode: path === 'apps/todo/public' ? SYMLINK : FILE }));

const SERVER_JS = `const http = require('node:http');
const { Pool } = require('pg');
const pool = new Pool({ connectionString: process.env.DATABASE_URL });
http.createServer(async (req, res) => {
  if (req.url === '/healthz') { await pool.query('select 1'); res.end('ok'); return; }
  res.end('todo');
}).listen(Number(process.env.PORT ?? 3000));
`;
const PACKAGE_JSON = JSON.stringify({ name: 'todo', scripts: { start: 'node server.js' }, dependencies: { pg: '^8.11.0' } }, null, 2);

function todoAnswer(): Answer {
  return {
    summary: 'A todo list on Postgres. Adds the server and its health check.',
    files: [
      { path: 'package.json', content: PACKAGE_JSON },
      { path: 'server.js', content: SERVER_JS },
    ],
    app: { port: 3000, domains: ['todo.example.test'], healthPath: '/healthz', database: 'postgres', framework: null, env: [{ name: 'NODE_ENV', value: 'production' }] },
  };
}

function inputFor(answer: unknown, overrides: Partial<CheckInput> = {}): CheckInput {
  const repo: Record<string, string> = { ...REPO, ...(overrides.manifestText === undefined ? {} : { 'nexus.yaml': overrides.manifestText }) };
  return {
    answer, appName: 'todo', appFolder: 'apps/todo', manifestPath: 'nexus.yaml', manifestText: MANIFEST,
    repoFiles: REPO_FILES,
    readRepoFile: async (path) => {
      const content = repo[path];
      if (content === undefined) throw new Error(`no such file in the test repo: ${path}`);
      return content;
    },
    forbiddenValues: ['provider-key-0123456789'],
    ...overrides,
  };
}

function withFile(path: string, content = 'x'): Answer {
  const answer = todoAnswer();
  answer.files.push({ path, content });
  return answer;
}

function withEnv(name: string, value: string): Answer {
  const answer = todoAnswer();
  answer.app.env.push({ name, value });
  return answer;
}

function problemsOf(result: CheckResult): string[] {
  if (result.ok) throw new Error(`expected problems, got ok with files ${Object.keys(result.files).join(', ')}`);
  return result.problems;
}

function okOf(result: CheckResult) {
  if (!result.ok) throw new Error(`expected ok, got:\n${result.problems.join('\n')}`);
  return result;
}

const OPENAI_KEY = `sk-proj-${'Ab3'.repeat(16)}`;
const STRIPE_KEY = `sk_live_${'51Hx9'.repeat(6)}`;
const RANDOM_VALUE = 'q8Zr2LmX9vT4pW7nK3sB6yD1';

interface HostileCase {
  name: string;
  answer: () => unknown;
  input?: Partial<CheckInput>;
  expect: RegExp;
  /** Text that must appear in no problem (a secret). */
  never?: string;
}

const HOSTILE: HostileCase[] = [
  { name: '../ escape', answer: () => withFile('../web/server.js'), expect: /answer\.files\[2\]\.path "\.\.\/web\/server\.js" has a "\.\." segment/ },
  { name: '.. in the middle', answer: () => withFile('src/../../web/x.js'), expect: /has a "\.\." segment/ },
  { name: '.git/config', answer: () => withFile('.git/config', '[core]\n\thooksPath = /tmp'), expect: /"\.git\/config" has a "\.git" segment/ },
  { name: '.GIT in any case, deeper', answer: () => withFile('src/.GiT/hooks/pre-commit'), expect: /\.git" segment/ },
  { name: '.git. (Windows drops the dot)', answer: () => withFile('.git./config'), expect: /\.git" segment/ },
  { name: '/etc/passwd absolute', answer: () => withFile('/etc/passwd', 'root::0:0::/:/bin/sh'), expect: /"\/etc\/passwd" is absolute/ },
  { name: 'drive letter', answer: () => withFile('C:/Windows/x.js'), expect: /drive letter/ },
  { name: 'backslash', answer: () => withFile('a\\b'), expect: /"a\\\\b" contains a backslash/ },
  { name: 'empty segment', answer: () => withFile('a//b.js'), expect: /empty segment/ },
  { name: 'trailing slash', answer: () => withFile('src/'), expect: /empty segment/ },
  { name: '. segment', answer: () => withFile('./server2.js'), expect: /has a "\." segment/ },
  { name: 'empty path', answer: () => withFile(''), expect: /answer\.files\[2\]\.path "" is empty/ },
  { name: 'NUL in a path', answer: () => withFile('x\u0000.js'), expect: /control character/ },
  { name: 'newline in a path', answer: () => withFile('x\n.js'), expect: /control character/ },
  { name: 'invisible character in a path', answer: () => withFile('.g\u200cit/config'), expect: /invisible/ },
  { name: 'segment over 255 bytes', answer: () => withFile(`${'é'.repeat(130)}.js`), expect: /segment of 263 bytes/ },
  { name: 'path over 1,024 characters', answer: () => withFile(`${'abcdefgh/'.repeat(120)}x.js`), expect: /1,084 characters long; a path may have at most 1,024/ },
  { name: 'a path into another app\'s build context', answer: () => withFile('docs/index.html', '<h1>mine now</h1>'), expect: /inside the build context of app "docs" \(apps\/todo\/docs\)/ },
  {
    name: 'another app owning the whole repository (context ".")',
    answer: () => todoAnswer(),
    input: { manifestText: 'version: 1\napps:\n  site:\n    port: 80\n' },
    expect: /build context of app "site" \(the whole repository\)/,
  },
  { name: 'writing through a symlink of the repo', answer: () => withFile('public/index.html'), expect: /through the symbolic link apps\/todo\/public/ },
  { name: 'replacing a symlink of the repo', answer: () => withFile('public'), expect: /over the symbolic link apps\/todo\/public/ },
  { name: 'a file of the repo used as a folder', answer: () => withFile('notes/today.md'), expect: /needs apps\/todo\/notes to be a folder/ },
  { name: 'the manifest path itself (app at the root)', answer: () => withFile('nexus.yaml', 'version: 1\napps: {}\n'), input: { appFolder: '.', manifestText: 'version: 1\napps:\n  todo:\n    port: 3000\n' }, expect: /"nexus\.yaml" is the repository's manifest nexus\.yaml/ },
  { name: 'a nexus.yaml inside the app folder', answer: () => withFile('nexus.yaml', 'version: 1\n'), expect: /is named like a manifest/ },
  { name: 'workflows at the repository root', answer: () => withFile('.github/workflows/x.yml', 'on: push'), input: { appFolder: '.', manifestText: 'version: 1\napps:\n  todo:\n    port: 3000\n' }, expect: /GitHub configuration/ },
  { name: 'duplicate paths', answer: () => withFile('server.js', 'console.log(1)'), expect: /answer\.files\[2\]\.path "server\.js" is listed twice \(also answer\.files\[1\]\)/ },
  { name: 'paths differing only in case', answer: () => withFile('Server.js'), expect: /differs only in letter case from answer\.files\[1\]/ },
  { name: 'a file and a folder of the same name', answer: () => { const a = withFile('lib', 'x'); a.files.push({ path: 'lib/db.js', content: 'y' }); return a; }, expect: /needs "lib" to be a folder, but answer\.files\[2\] writes it as a file/ },
  {
    name: '10,000 files (counted before the schema looks at them)',
    // Items that break the schema too: the count must be the problem reported.
    answer: () => ({ ...todoAnswer(), files: Array.from({ length: 10_000 }, (_, i) => ({ path: `f${i}.js`, content: i })) }),
    expect: /^The answer has 10,000 files; at most 200 are allowed/,
  },
  {
    name: 'one 50 MB file',
    answer: () => withFile('big.txt', 'a'.repeat(50 * 1024 * 1024)),
    expect: /answer\.files\[2\] \("big\.txt"\) is 52,428,800 bytes \(50 MiB\); a file may have at most 524,288 bytes \(512 KiB\)/,
  },
  {
    name: 'many files adding up past the total',
    answer: () => ({ ...todoAnswer(), files: Array.from({ length: 12 }, (_, i) => ({ path: `f${i}.txt`, content: 'b'.repeat(500 * 1024) })) }),
    expect: /12 files add up to 6,144,000 bytes \(5\.9 MiB\); all files together may have at most 5,242,880 bytes \(5 MiB\)/,
  },
  { name: 'invalid package.json', answer: () => { const a = todoAnswer(); a.files[0]!.content = '{"name": "todo",}'; return a; }, expect: /^apps\/todo\/package\.json is not valid JSON/ },
  { name: 'package.json that is an array', answer: () => withFile('tools/package.json', '[1, 2]'), expect: /apps\/todo\/tools\/package\.json holds an array, not a JSON object/ },
  {
    name: 'an OpenAI-looking key in a file',
    answer: () => withFile('src/ai.js', `// client\nconst key = "${OPENAI_KEY}";\n`),
    expect: /^Line 2 of apps\/todo\/src\/ai\.js looks like an OpenAI API key; .*nexus secret set todo NAME.*\{ secret: NAME \}/,
    never: OPENAI_KEY,
  },
  { name: 'an Anthropic key (named once, not also as OpenAI)', answer: () => withFile('a.js', `k = "sk-ant-api03-${'x9'.repeat(20)}"`), expect: /^Line 1 of apps\/todo\/a\.js looks like an Anthropic API key/, never: 'OpenAI' },
  { name: 'an AWS key', answer: () => withFile('a.js', 'AKIAIOSFODNN7EXAMPLE'), expect: /AWS access key/ },
  { name: 'a GitHub token', answer: () => withFile('a.js', `ghp_${'a1B2c3'.repeat(6)}`), expect: /GitHub token/ },
  { name: 'a private key', answer: () => withFile('key.pem', '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n'), expect: /Line 1 of apps\/todo\/key\.pem looks like a private key/ },
  {
    name: 'a forbidden value in a file',
    answer: () => withFile('config.js', 'module.exports = {\n  a: 1,\n  key: "provider-key-0123456789",\n};\n'),
    expect: /^Line 3 of apps\/todo\/config\.js looks like a protected value/,
    never: 'provider-key-0123456789',
  },
  { name: 'a forbidden value in the summary', answer: () => ({ ...todoAnswer(), summary: 'Uses provider-key-0123456789.' }), expect: /^answer\.summary contains a protected value/, never: 'provider-key-0123456789' },
  {
    name: 'env STRIPE_KEY: sk_live_…',
    answer: () => withEnv('STRIPE_KEY', STRIPE_KEY),
    expect: /^answer\.app\.env\[1\] \(STRIPE_KEY\) has a value that looks like a Stripe secret key; leave it out of answer\.app\.env — secrets go through `nexus secret set todo NAME` and the manifest refers to them as `\{ secret: NAME \}`/,
    never: STRIPE_KEY,
  },
  { name: 'env name that says secret', answer: () => withEnv('DB_PASSWORD', 'hunter2'), expect: /\(DB_PASSWORD\) has a value, and its name says it is a secret/, never: 'hunter2' },
  { name: 'env value of high entropy', answer: () => withEnv('SESSION_SEED', RANDOM_VALUE), expect: /\(SESSION_SEED\) has a value that looks like a random key or token/, never: RANDOM_VALUE },
  { name: 'env URL with a password', answer: () => withEnv('CACHE_URL', 'redis://app:s3cr3tpw@cache:6379'), expect: /URL with a password/, never: 's3cr3tpw' },
  { name: 'env value with a NUL', answer: () => withEnv('GREETING', 'hi\u0000there'), expect: /answer\.app\.env\[1\] has a value with control characters/ },
  { name: 'env named __proto__', answer: () => withEnv('__proto__', 'x'), expect: /answer\.app\.env\[1\] is named __proto__/ },
  { name: 'env variable given twice', answer: () => withEnv('NODE_ENV', 'development'), expect: /answer\.app\.env\[1\] sets NODE_ENV again/ },
  { name: 'env DATABASE_URL next to database: postgres', answer: () => withEnv('DATABASE_URL', 'postgres://localhost/todo'), expect: /^nexus\.yaml with answer\.app merged in as apps\.todo is not valid: apps\.todo\.env\.DATABASE_URL: is set by the agent/ },
  { name: 'a domain already used by another app', answer: () => { const a = todoAnswer(); a.app.domains = ['web.example.test']; return a; }, expect: /apps\.todo\.domains\[0\]: "web\.example\.test" is already used by app "web" — a domain routes to one app only; remove it from one of them\.$/ },
  { name: 'a port out of range', answer: () => { const a = todoAnswer(); a.app.port = 70_000; return a; }, expect: /apps\.todo\.port: must be at most 65535/ },
  { name: 'a health path without a slash', answer: () => { const a = todoAnswer(); a.app.healthPath = 'healthz'; return a; }, expect: /apps\.todo\.health\.path/ },
  { name: 'an answer missing files', answer: () => { const { files: _files, ...rest } = todoAnswer(); return rest; }, expect: /^The answer is missing "files"/ },
  { name: 'content that is not a string', answer: () => ({ ...todoAnswer(), files: [{ path: 'a.js', content: 42 }] }), expect: /^answer\.files\[0\]\.content must be a string, not a number\./ },
  { name: 'an unknown key', answer: () => ({ ...todoAnswer(), commands: ['rm -rf /'] }), expect: /^The answer has the unknown key "commands"/ },
  { name: 'an unknown framework', answer: () => ({ ...todoAnswer(), app: { ...todoAnswer().app, framework: 'rails' } }), expect: /^answer\.app\.framework must be one of/ },
  { name: 'not an object at all', answer: () => 'rm -rf /', expect: /^The answer must be a JSON object, not a string\./ },
  { name: 'an escape sequence in the summary', answer: () => ({ ...todoAnswer(), summary: 'ok\u001b]52;c;x\u0007' }), expect: /answer\.summary contains control characters/ },
  { name: 'an app that is not buildable (only README.md)', answer: () => ({ ...todoAnswer(), files: [{ path: 'README.md', content: '# Todo\n' }] }), expect: /^The app in apps\/todo cannot be built: no Dockerfile in apps\/todo and no known kind of app/ },
  {
    name: 'a .dockerignore hiding package.json from the build',
    answer: () => withFile('.dockerignore', 'package.json\nserver.js\n'),
    expect: /cannot be built/,
  },
  {
    name: 'regenerating over a kept secret',
    answer: () => withEnv('SESSION_SECRET', ''),
    input: { manifestText: 'version: 1\napps:\n  todo:\n    port: 3000\n    env:\n      SESSION_SECRET: { secret: SESSION_SECRET }\n' },
    expect: /answer\.app\.env\[1\] sets SESSION_SECRET, which app "todo" already takes from a secret/,
  },
  { name: 'a broken manifest in the repository', answer: () => todoAnswer(), input: { manifestText: 'version: 1\napps:\n  web: [\n' }, expect: /^The repository's nexus\.yaml cannot be read/ },
];

for (const hostile of HOSTILE) {
  test(`refused: ${hostile.name}`, async () => {
    const started = Date.now();
    const problems = problemsOf(await checkAnswer(inputFor(hostile.answer(), hostile.input)));
    if (process.env.SHOW_PROBLEMS) console.log(`\n## ${hostile.name} (${Date.now() - started} ms)\n${problems.join('\n')}`);
    assert.ok(problems.some((problem) => hostile.expect.test(problem)), `no problem matches ${hostile.expect}:\n${problems.join('\n')}`);
    if (hostile.never !== undefined) assert.not.ok(problems.some((problem) => problem.includes(hostile.never!)), 'a problem repeats the secret');
    for (const problem of problems) assert.ok(/[.!)`]$/.test(problem) || problem.includes(': '), `not a sentence: ${problem}`);
    assert.ok(Date.now() - started < 5_000, 'took over 5 s');
  });
}

test('a Node + Postgres todo app passes, merged beside the untouched other apps', async () => {
  const result = okOf(await checkAnswer(inputFor(todoAnswer())));
  assert.equal(Object.keys(result.files).sort(), ['apps/todo/package.json', 'apps/todo/server.js', 'nexus.yaml']);
  assert.is(result.files['apps/todo/server.js'], SERVER_JS);
  assert.is(result.files['nexus.yaml'], result.manifestText);
  assert.match(result.build, /^node: /);
  assert.is(result.summary, 'A todo list on Postgres. Adds the server and its health check.');

  // Everything that was there stays byte for byte: the new entry follows the last app.
  const merged = result.manifestText;
  assert.ok(merged.startsWith(MANIFEST), merged);
  assert.ok(merged.includes(WEB_BLOCK));
  const parsed = parseManifest(merged, 'nexus.yaml');
  if (!parsed.ok) throw new Error(formatProblems(parsed.problems));
  const todo = parsed.manifest.apps.find((app) => app.name === 'todo');
  assert.equal(todo, {
    name: 'todo', build: { context: 'apps/todo' }, port: 3000, domains: ['todo.example.test'],
    health: { path: '/healthz', timeoutMs: 30_000 }, env: { NODE_ENV: 'production' }, database: 'postgres',
  });
  assert.equal(parsed.manifest.apps.map((app) => app.name), ['docs', 'todo', 'web']);
  assert.ok(merged.endsWith(`  todo:
    build:
      context: apps/todo
    port: 3000
    domains:
      - todo.example.test
    health:
      path: /healthz
    env:
      NODE_ENV: production
    database: postgres
`), merged);
});

test('regenerating an existing app replaces its entry but keeps its secret env values', async () => {
  const before = `version: 1
apps:
  todo:   # first version
    build: { context: apps/todo, framework: node }
    port: 3000
    domains: [old.example.test]
    env:
      NODE_ENV: development
      SESSION_SECRET: { secret: SESSION_SECRET }
      API_TOKEN: { encrypted: "-----BEGIN AGE ENCRYPTED FILE-----\\nYWdl\\n-----END AGE ENCRYPTED FILE-----\\n" }
${WEB_BLOCK}`;
  const result = okOf(await checkAnswer(inputFor(todoAnswer(), { manifestText: before })));
  assert.ok(result.manifestText.endsWith(WEB_BLOCK), result.manifestText);
  assert.not.match(result.manifestText, /old\.example\.test|development|first version/);
  const parsed = parseManifest(result.manifestText, 'nexus.yaml');
  if (!parsed.ok) throw new Error(formatProblems(parsed.problems));
  const todo = parsed.manifest.apps.find((app) => app.name === 'todo')!;
  assert.equal(todo.env, { NODE_ENV: 'production' });
  assert.equal(todo.secrets, {
    SESSION_SECRET: { kind: 'stored', name: 'SESSION_SECRET' },
    API_TOKEN: { kind: 'encrypted', ciphertext: '-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n' },
  });
  assert.equal(todo.domains, ['todo.example.test']);
  assert.is(todo.build.framework, undefined);
});

test('a repository without a manifest gets one with just the app', async () => {
  const result = okOf(await checkAnswer(inputFor(todoAnswer(), { manifestText: undefined })));
  assert.ok(result.manifestText.startsWith('version: 1\napps:\n  todo:\n    build:\n      context: apps/todo\n'), result.manifestText);
  assert.ok(parseManifest(result.manifestText, 'nexus.yaml').ok);
});

test('a manifest with a flow-style apps map keeps its apps through the Document API', async () => {
  const manifestText = '# apps on one line\nversion: 1\napps: { web: { build: { context: apps/web }, port: 8080, domains: [web.example.test] } }\n';
  const result = okOf(await checkAnswer(inputFor(todoAnswer(), { manifestText })));
  assert.ok(result.manifestText.startsWith('# apps on one line\n'), result.manifestText);
  const parsed = parseManifest(result.manifestText, 'nexus.yaml');
  if (!parsed.ok) throw new Error(formatProblems(parsed.problems));
  assert.equal(parsed.manifest.apps.map((app) => [app.name, app.build.context, app.domains]), [['todo', 'apps/todo', ['todo.example.test']], ['web', 'apps/web', ['web.example.test']]]);
});

test('CRLF manifests get CRLF lines', async () => {
  const manifestText = 'version: 1\r\napps:\r\n  web:\r\n    build: { context: apps/web }\r\n    port: 8080\r\n';
  const result = okOf(await checkAnswer(inputFor(todoAnswer(), { manifestText })));
  assert.ok(result.manifestText.startsWith(manifestText));
  assert.not.match(result.manifestText.replace(/\r\n/g, ''), /\n/);
});

test('an app with its own Dockerfile is built from it', async () => {
  const answer = withFile('Dockerfile', 'FROM node:20\nCOPY . .\nCMD ["node", "server.js"]\n');
  const result = okOf(await checkAnswer(inputFor(answer)));
  assert.is(result.build, 'Dockerfile apps/todo/Dockerfile');
});

test('the app\'s current files count: an answer may change one file of a buildable app', async () => {
  const repo: Record<string, string> = { ...REPO, 'apps/todo/package.json': PACKAGE_JSON, 'apps/todo/server.js': SERVER_JS };
  const answer = { ...todoAnswer(), files: [{ path: 'server.js', content: `${SERVER_JS}// v2\n` }] };
  const result = okOf(await checkAnswer(inputFor(answer, {
    repoFiles: [...REPO_FILES, { path: 'apps/todo/package.json', mode: FILE }, { path: 'apps/todo/server.js', mode: FILE }],
    readRepoFile: async (path) => repo[path] ?? Promise.reject(new Error(path)),
  })));
  assert.match(result.build, /^node: /);
  assert.equal(Object.keys(result.files).sort(), ['apps/todo/server.js', 'nexus.yaml']);
});

test('a file named "__proto__" stays plain data', async () => {
  const answer = withFile('__proto__', 'y');
  const result = okOf(await checkAnswer(inputFor(answer, { appFolder: '.', manifestText: undefined, repoFiles: [] })));
  assert.is(Object.getPrototypeOf(result.files), Object.prototype);
  assert.is(result.files['__proto__'], 'y');
});

test('limits are the caller\'s to set', async () => {
  const problems = problemsOf(await checkAnswer(inputFor(todoAnswer(), { limits: { ...DEFAULT_ANSWER_LIMITS, maxFiles: 1 } })));
  assert.equal(problems, ['The answer has 2 files; at most 1 are allowed — write fewer, larger files.']);
});

test('a failing repository read is thrown, not blamed on the answer', async () => {
  const answer = { ...todoAnswer(), files: [{ path: 'README.md', content: '# x' }] };
  const input = inputFor(answer, {
    repoFiles: [...REPO_FILES, { path: 'apps/todo/package.json', mode: FILE }],
    readRepoFile: async () => { throw new Error('disk on fire'); },
  });
  try {
    await checkAnswer(input);
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.is((error as Error).message, 'disk on fire');
  }
});

test('impossible caller input is thrown as InvalidCheckInputError', async () => {
  for (const overrides of [{ appName: 'Todo' }, { appFolder: '/apps/todo' }, { appFolder: 'apps/../x' }, { appFolder: 'apps/todo/' }, { manifestPath: '../nexus.yaml' }]) {
    try {
      await checkAnswer(inputFor(todoAnswer(), overrides));
      assert.unreachable(`accepted ${JSON.stringify(overrides)}`);
    } catch (error) {
      assert.instance(error, InvalidCheckInputError);
    }
  }
});

test.run();
