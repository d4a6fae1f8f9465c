/**
 * AI generation end to end: the real `openai` client (inside the agent)
 * against a loopback server speaking OpenAI's wire format, real git, dockerd,
 * nginx and Postgres. Describe an app → checked answer → one commit with
 * trailers → the ordinary GitOps path deploys it; failed builds are
 * repaired from their evidence; hostile answers never reach git.
 */
import { request } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHarness, helloFiles, type Harness } from './support/agent-harness.ts';
import { anthropicAnswer, openAIAnswer, startFakeAnthropic, startFakeOpenAI, type FakeLlm, type FakeReply } from './support/fake-llm.ts';
import { runGit } from './support/git-push.ts';
import { waitFor } from './support/http.ts';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';

const KEY = 'sk-test-nexus-0123456789abcdefghijklmnopqrstuv';
const ROOT = path.resolve(import.meta.dirname, '..');

interface Context {
  h: Harness;
  llm: FakeLlm;
  /** Replies the fake provider gives, in order (each call takes the next; the last repeats). */
  script: { replies: Reply[]; next: number };
  hello: string;
  todo: string;
}

type Reply = (body: any) => FakeReply | Promise<FakeReply>;

const ai = suite<Context>('generate');

const answer = (files: Record<string, string>, app: Record<string, unknown> = {}, summary = 'A todo list on Postgres.') => openAIAnswer({
  summary,
  files: Object.entries(files).map(([filePath, content]) => ({ path: filePath, content })),
  app: { port: 3000, domains: [], healthPath: '/healthz', database: 'postgres', framework: null, env: [], ...app },
});

async function todoFiles(): Promise<Record<string, string>> {
  return {
    'package.json': JSON.stringify({ name: 'todo', private: true, scripts: { start: 'node server.js' }, dependencies: { pg: '8.23.1' } }, null, 2),
    'server.js': await readFile(path.join(ROOT, 'examples/todo-pg/server.js'), 'utf8'),
  };
}

/** A Node app whose build fails with a distinct error. */
const brokenFiles = (error: string) => ({
  'package.json': JSON.stringify({ name: 'todo', private: true, scripts: { build: `node -e "console.error('${error}'); process.exit(1)"`, start: 'node server.js' } }),
  'server.js': "require('http').createServer((q, s) => s.end('never')).listen(process.env.PORT);\n",
});

ai.before(async (context) => {
  context.script = { replies: [], next: 0 };
  context.llm = await startFakeOpenAI(async (body) => {
    const { replies } = context.script;
    const reply = replies[Math.min(context.script.next, replies.length - 1)];
    context.script.next += 1;
    return reply ? reply(body) : { status: 500, body: { error: { message: 'no scripted reply' } } };
  });
  context.h = await createHarness({
    interval: '2s',
    configExtra: ['ai:', '  provider: openai', '  model: fake-gpt', '  apiKeyEnv: NEXUS_TEST_AI_KEY', `  baseURL: ${context.llm.baseURL}`, '  maxOutputTokens: 4000', '  timeout: 20s'],
    agentEnv: { NEXUS_TEST_AI_KEY: KEY },
  });
  context.hello = `hello.${context.h.repo}.localhost`;
  context.todo = `todo.${context.h.repo}.localhost`;
  const hello = await helloFiles((files) => {
    files['nexus.yaml'] = `version: 1\napps:\n  hello:\n    build: { context: apps/hello }\n    port: 3000\n    domains: [${context.hello}]\n    health: { path: /healthz }\n`;
  });
  await context.h.push(Object.fromEntries(Object.entries(hello).map(([file, content]) => [file === 'nexus.yaml' ? file : `apps/hello/${file}`, content])), 'hello');
  await context.h.startAgent();
  await waitFor(async () => (await context.h.viaNginx(context.hello).catch(() => undefined))?.status === 200, { timeoutMs: 120_000, intervalMs: 500, what: 'hello served' });
});

ai.after(async (context) => {
  await context.h?.cleanup();
  await context.llm?.close();
});

const setScript = (context: Context, ...replies: Reply[]) => {
  context.script = { replies, next: 0 };
};

const remoteHead = async (h: Harness) => (await runGit(['ls-remote', h.remote, 'refs/heads/main'])).split('\t')[0]!;

const postTodo = (h: Harness, host: string, text: string) => new Promise<number>((resolve, reject) => {
  const req = request({ host: '127.0.0.1', port: h.nginx.port, path: '/todos', method: 'POST', headers: { host, 'content-type': 'text/plain' } }, (res) => {
    res.resume();
    res.on('end', () => resolve(res.statusCode ?? 0));
  });
  req.on('error', reject);
  req.end(text);
});

ai('a described app is generated, committed with its trailers, deployed, and its database works', async (context) => {
  const { h } = context;
  const files = await todoFiles();
  setScript(context, () => ({ body: answer(files, { domains: [context.todo] }) }));
  const result = await h.cli(['generate', `a todo list with a Postgres database, at ${context.todo}`, '--app', 'todo']);
  assert.is(result.code, 0, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /live at revision [0-9a-f]{7}/);

  // What the model was asked: structured output, the platform's rules.
  const sent = context.llm.requests.at(-1)!;
  assert.is(sent.body.response_format?.type, 'json_schema');
  assert.is(sent.body.response_format?.json_schema?.strict, true);
  assert.is(sent.body.model, 'fake-gpt');
  assert.match(JSON.stringify(sent.body.messages), /PORT/);
  assert.match(JSON.stringify(sent.body.messages), /DATABASE_URL/);

  // One commit, by Nexus AI, with the prompt, provider, model and the generation trailer; hello untouched.
  const clone = await mkdtemp(path.join(tmpdir(), 'nexus-gen-'));
  await runGit(['clone', '-q', h.remote, clone]);
  const message = await runGit(['log', '-1', '--format=%an <%ae>%n%B'], { cwd: clone });
  assert.match(message, /^Nexus AI <ai@nexus\.invalid>\nGenerate todo: a todo list with a Postgres database/);
  assert.match(message, /Provider: openai fake-gpt/);
  assert.match(message, /\nNexus-Generation: [0-9a-f]+\n/);
  assert.is(await readFile(path.join(clone, 'apps/todo/server.js'), 'utf8'), files['server.js']);
  const manifest = await readFile(path.join(clone, 'nexus.yaml'), 'utf8');
  assert.match(manifest, /todo:\n\s+build:\n\s+context: apps\/todo/);
  assert.match(manifest, /database: postgres/);
  assert.ok(manifest.includes(`hello:\n    build: { context: apps/hello }`), manifest);

  // Live, with a working database.
  await waitFor(async () => (await postTodo(h, context.todo, 'buy milk').catch(() => 0)) === 201, { timeoutMs: 30_000, intervalMs: 300, what: 'POST /todos' });
  const list = await h.viaNginx(context.todo, '/todos');
  assert.match(list.body, /buy milk/);

  // The key never shows: not in the agent log, /status, the generation record or git.
  const generationId = /Nexus-Generation: ([0-9a-f]+)/.exec(message)![1]!;
  const record = await (await fetch(`${h.statusUrl}/api/generations/${generationId}`)).text();
  assert.match(record, /"status":"live"/);
  const listed = ((await h.status()) as { generations?: { id: string; status: string }[] }).generations ?? [];
  assert.equal(listed.find((item) => item.id === generationId)?.status, 'live');
  for (const [where, text] of [['agent log', await h.agentLog()], ['/status', JSON.stringify(await h.status())], ['generation', record], ['git', await runGit(['log', '-p', '--all'], { cwd: clone })]] as const) {
    assert.not.ok(text.includes(KEY), `the API key appears in the ${where}`);
  }
});

ai('hostile or broken answers are refused with a clear message, and nothing is committed', async (context) => {
  const { h } = context;
  const files = await todoFiles();
  const cases: [string, FakeReply | FakeReply[], RegExp][] = [
    ['a path with ../', { body: answer({ ...files, '../hello/server.js': 'pwned' }) }, /\.\./],
    ['.git/config', { body: answer({ ...files, '.git/config': '[core]' }) }, /\.git/],
    ['an absolute path', { body: answer({ ...files, '/etc/passwd': 'root' }) }, /absolute|leading/],
    ['10,000 files', { body: answer(Object.fromEntries(Array.from({ length: 10_000 }, (_, index) => [`f${index}.js`, '1']))) }, /10000|10,000/],
    ['a 50 MB file', { body: answer({ ...files, 'big.txt': 'x'.repeat(50 * 1024 * 1024) }) }, /big\.txt/],
    ["another app's domain", { body: answer(files, { domains: [context.hello] }) }, new RegExp(context.hello.replace(/\./g, '\\.'))],
    ['a domain nobody asked for', { body: answer(files, { domains: ['admin.example.test'] }) }, /admin\.example\.test.*neither the app had nor the request names/],
    ['the API key in a file', { body: answer({ ...files, 'config.js': `module.exports = { key: '${KEY}' };` }) }, /config\.js/],
    ['a secret in env', { body: answer(files, { env: [{ name: 'STRIPE_KEY', value: 'sk_live_51HdKq8aZ7cVx2M3nB4vC5xZ6' }] }) }, /nexus secret set/],
    ['a refusal', { body: openAIAnswer(null, { refusal: 'I cannot help with that.' }) }, /refus/i],
    ['truncated JSON', { body: openAIAnswer(null, { rawContent: '{"summary": "half' }) }, /not valid JSON/],
    ['invalid JSON', { body: openAIAnswer(null, { rawContent: 'Sure! Here is your app: server.js ...' }) }, /not valid JSON/],
    ['finish_reason length on every call', { body: openAIAnswer(null, { rawContent: '{"summary": "cut', finishReason: 'length' }) }, /cut off/],
    ['401', { status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } } }, /API key/],
    ['500 three times', { status: 500, body: { error: { message: 'overloaded' } } }, /unavailable|500/i],
  ];
  for (const [name, reply, expected] of cases) {
    const before = await remoteHead(h);
    const replies = Array.isArray(reply) ? reply : [reply];
    setScript(context, ...replies.map((item) => () => item));
    const result = await h.cli(['generate', 'a todo list', '--app', 'todo2']);
    assert.is(result.code, 1, `${name}: exit ${result.code}\n${result.stdout}`);
    assert.match(`${result.stdout}${result.stderr}`, expected, `${name}:\n${result.stdout}${result.stderr}`);
    assert.is(await remoteHead(h), before, `${name}: something was committed`);
  }
});

ai('429 then success: retried, and the app is generated', async (context) => {
  const { h } = context;
  const before = context.llm.requests.length;
  setScript(context, () => ({ status: 429, headers: { 'retry-after-ms': '10' }, body: { error: { message: 'rate limited' } } }), async () => ({ body: answer({ 'index.html': '<h1>retry worked</h1>' }, { port: 8080, database: null, healthPath: '/' }) }));
  const result = await h.cli(['generate', 'a static page', '--app', 'page', '--dry-run']);
  assert.is(result.code, 0, result.stdout + result.stderr);
  assert.is(context.llm.requests.length - before, 2);
  assert.match(result.stdout, /dry run/);
  assert.match(result.stdout, /\+   page:/);
});

ai('a failed build goes back to the model; its fix goes live', async (context) => {
  const { h } = context;
  const host = `repair.${h.repo}.localhost`;
  setScript(context,
    () => ({ body: answer(brokenFiles('E_FIRST: missing semicolon'), { domains: [host], database: null }) }),
    (body) => {
      // The second call carries the real evidence of the failed build.
      assert.match(JSON.stringify(body.messages), /E_FIRST: missing semicolon/);
      return { body: answer({ 'package.json': JSON.stringify({ name: 'repair', scripts: { start: 'node server.js' } }), 'server.js': "require('http').createServer((q, s) => s.end('repaired')).listen(process.env.PORT);\n" }, { domains: [host], database: null, healthPath: '/' }) };
    });
  const result = await h.cli(['generate', `a page that says repaired, at ${host}`, '--app', 'repair']);
  assert.is(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /repair round 1/);
  assert.match(result.stdout, /live at revision [0-9a-f]{7} after 1 repair round/);
  assert.is((await h.viaNginx(host)).body, 'repaired');
  const history = JSON.parse((await h.cli(['history', 'repair', '--json'])).stdout) as { deployments: { status: string }[] };
  assert.equal(history.deployments.map((item) => item.status), ['success', 'failed']);
});

ai('answers that keep failing stop after the repair rounds; the previous release keeps serving', async (context) => {
  const { h } = context;
  const host = `repair.${h.repo}.localhost`;
  setScript(context, ...['E_ONE', 'E_TWO', 'E_THREE', 'E_FOUR', 'E_FIVE'].map((error) => () => ({ body: answer(brokenFiles(error), { domains: [host], database: null }) })));
  const firstCall = context.llm.requests.length;
  const result = await h.cli(['generate', 'make it blue', '--app', 'repair']);
  // A change of an existing app is asked with its current files.
  const asked = JSON.stringify(context.llm.requests[firstCall]!.body.messages);
  assert.match(asked, /Its current files/);
  assert.match(asked, /s\.end\('repaired'\)/);
  assert.is(context.llm.requests.length - firstCall, 4, 'the first answer and 3 repairs');
  assert.is(result.code, 1);
  assert.match(result.stdout, /still failing after 3 repair rounds: .*E_FOUR/);
  assert.is((await h.viaNginx(host)).body, 'repaired', 'the previous release stopped serving');
});

ai('a human push between generation and commit: the generated commit goes on top of it, nothing is lost', async (context) => {
  const { h } = context;
  const clone = await mkdtemp(path.join(tmpdir(), 'nexus-human-'));
  setScript(context, async () => {
    // A person pushes while the model "thinks".
    await runGit(['clone', '-q', h.remote, clone]);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(clone, 'NOTES.md'), 'written by a human\n');
    await runGit(['add', '-A'], { cwd: clone });
    await runGit(['-c', 'user.name=Human', '-c', 'user.email=human@example.invalid', 'commit', '-q', '-m', 'human notes'], { cwd: clone });
    await runGit(['push', '-q', 'origin', 'HEAD:main'], { cwd: clone });
    return { body: answer({ 'index.html': '<h1>notes page</h1>' }, { port: 8080, database: null, healthPath: '/' }) };
  });
  const result = await h.cli(['generate', 'a notes page', '--app', 'notes']);
  assert.match(result.stdout, /moved to [0-9a-f]{7} meanwhile: committing again on top of it/);
  const log = await runGit(['log', '--format=%an %s', '-3'], { cwd: await freshClone(h) });
  assert.match(log, /^Nexus AI Generate notes: a notes page\nHuman human notes\n/);
});

async function freshClone(h: Harness): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'nexus-check-'));
  await runGit(['clone', '-q', h.remote, dir]);
  return dir;
}

ai.run();

// The same path with Anthropic's wire format (messages + a forced tool), through the real @anthropic-ai/sdk client.
const claude = suite<{ h: Harness; llm: FakeLlm }>('generate (anthropic)');

claude.before(async (context) => {
  context.llm = await startFakeAnthropic(() => ({ body: anthropicAnswer({
    summary: 'A landing page.',
    files: [{ path: 'index.html', content: '<h1>written by claude</h1>\n' }],
    app: { port: 8080, domains: ['claude.nexus.localhost'], healthPath: '/', database: null, framework: null, env: [] },
  }) }));
  context.h = await createHarness({
    interval: '2s',
    configExtra: ['ai:', '  provider: anthropic', '  model: claude-test', '  apiKeyEnv: NEXUS_TEST_AI_KEY', `  baseURL: ${context.llm.baseURL}`, '  maxOutputTokens: 4000'],
    agentEnv: { NEXUS_TEST_AI_KEY: KEY },
  });
  await context.h.push({ 'nexus.yaml': 'version: 1\napps:\n  home:\n    build: { context: apps/home }\n    port: 8080\n', 'apps/home/index.html': '<h1>home</h1>\n' }, 'home');
  await context.h.startAgent();
});

claude.after(async (context) => {
  await context.h?.cleanup();
  await context.llm?.close();
});

claude('a page generated with Anthropic goes live', async ({ h, llm }) => {
  const result = await h.cli(['generate', 'a landing page at claude.nexus.localhost', '--app', 'landing']);
  assert.is(result.code, 0, result.stdout + result.stderr);
  const sent = llm.requests.at(-1)!.body;
  assert.equal(sent.tool_choice, { type: 'tool', name: 'nexus_app' });
  assert.is(sent.model, 'claude-test');
  await waitFor(async () => (await h.viaNginx('claude.nexus.localhost').catch(() => undefined))?.body.includes('written by claude'), { timeoutMs: 60_000, intervalMs: 300, what: 'the Anthropic-generated page' });
});

claude.run();
