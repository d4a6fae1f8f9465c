/** The truncation recovery of obtainAnswer, with a scripted client (pure orchestration; the real SDKs are tested in providers/). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { obtainAnswer, AnswerTruncatedError } from './answer.ts';
import type { ModelAnswer, ModelClient, ModelRequest } from './providers/index.ts';

function scripted(reply: (request: ModelRequest, index: number) => ModelAnswer): ModelClient & { requests: ModelRequest[] } {
  const requests: ModelRequest[] = [];
  return {
    provider: 'openai', model: 'scripted', requests,
    async complete(request) {
      requests.push(request);
      return reply(request, requests.length - 1);
    },
  };
}

const APP = { port: 3000, domains: [], healthPath: '/healthz', database: null, framework: null, env: [] };
const cut: ModelAnswer = { kind: 'truncated', partialText: '{"summary": "a to' };
const input = { system: 's', user: 'a todo app', maxOutputTokens: 1000 };

test('a complete first answer is used as is, in one call', async () => {
  const client = scripted(() => ({ kind: 'complete', value: { summary: 'ok', app: APP, files: [{ path: 'a.js', content: '1' }] } }));
  const answer = await obtainAnswer(client, input);
  assert.equal((answer as { files: unknown[] }).files, [{ path: 'a.js', content: '1' }]);
  assert.is(client.requests.length, 1);
  assert.is(client.requests[0]!.schemaName, 'nexus_app');
});

test('a cut-off answer is completed: the file list, then the files in batches, halving a batch that is cut off again', async () => {
  const paths = ['package.json', 'server.js', 'db.js', 'views.js', 'README.md'];
  const client = scripted((request) => {
    if (request.schemaName === 'nexus_app') return cut;
    if (request.schemaName === 'nexus_app_plan') return { kind: 'complete', value: { summary: 'todo', app: APP, files: paths.map((path) => ({ path, purpose: 'x' })) } };
    const asked = paths.filter((path) => request.user.endsWith(path) || request.user.includes(` ${path},`) || request.user.includes(`: ${path}`));
    // Four files at once do not fit; two do.
    if (asked.length > 2) return cut;
    return { kind: 'complete', value: { files: asked.map((path) => ({ path, content: `content of ${path}` })) } };
  });
  const answer = await obtainAnswer(client, input) as { summary: string; files: { path: string }[] };
  assert.is(answer.summary, 'todo');
  assert.equal(answer.files.map((file) => file.path).sort(), [...paths].sort());
  // 1 whole + 1 plan + 1 cut batch of 4 + 2 halves + 1 batch of the fifth file.
  assert.is(client.requests.length, 6);
});

test('an answer cut off on every call is refused, within the bound', async () => {
  const client = scripted(() => cut);
  const error = await obtainAnswer(client, input).then(() => undefined, (caught: unknown) => caught);
  assert.ok(error instanceof AnswerTruncatedError);
  assert.match((error as Error).message, /even the list of files was cut off — raise ai\.maxOutputTokens/);
  assert.is(client.requests.length, 2);
});

test('a single file too large for one reply is named, and the calls stay bounded', async () => {
  const client = scripted((request) => {
    if (request.schemaName === 'nexus_app') return cut;
    if (request.schemaName === 'nexus_app_plan') return { kind: 'complete', value: { summary: 's', app: APP, files: [{ path: 'huge.js', purpose: 'x' }] } };
    return cut;
  });
  const error = await obtainAnswer(client, input).then(() => undefined, (caught: unknown) => caught as Error);
  assert.match(error!.message, /huge\.js alone does not fit in 1000 output tokens/);
  assert.is(client.requests.length, 3);
});

test('a model that keeps leaving files out is stopped at the call limit', async () => {
  const client = scripted((request) => {
    if (request.schemaName === 'nexus_app') return cut;
    if (request.schemaName === 'nexus_app_plan') return { kind: 'complete', value: { summary: 's', app: APP, files: [{ path: 'a.js', purpose: 'x' }, { path: 'b.js', purpose: 'y' }] } };
    return { kind: 'complete', value: { files: [] } };
  });
  const error = await obtainAnswer(client, { ...input, maxCalls: 5 }).then(() => undefined, (caught: unknown) => caught as Error);
  assert.ok(error instanceof AnswerTruncatedError, String(error));
  assert.ok(client.requests.length <= 5);
});

test.run();
