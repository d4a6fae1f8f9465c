/** POST /api/generate and GET /api/generations/:id, with a recording generator (the real one is tested end to end in test/generate.test.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createApp } from './index.ts';
import { GenerationBusyError } from '../ai/generator.ts';
import type { Generation } from '../ai/generation.ts';
import type { GenerateBody } from './generate-body.ts';

const TOKEN = 'test-token';

function server(start: (body: GenerateBody) => Generation) {
  const started: GenerateBody[] = [];
  const app = createApp({
    token: TOKEN,
    status: () => ({ repos: [] }),
    sync: async () => ({ ok: true, message: '' }),
    generate: (body) => {
      started.push(body);
      return start(body);
    },
    generation: (id) => (id === 'g1' ? record : undefined),
  });
  return { app, started };
}

const record: Generation = { id: 'g1', repo: 'demo', app: 'todo', prompt: 'p', provider: 'openai', model: 'm', status: 'generating', steps: [], rounds: [], startedAt: 't' };
const post = (body: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) => ({ method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

test('a valid request starts a generation: 202 with its record', async () => {
  const { app, started } = server(() => record);
  const response = await app.request('/api/generate', post(JSON.stringify({ prompt: 'a todo app', app: 'todo', dryRun: true })));
  assert.is(response.status, 202);
  assert.is((await response.json() as Generation).id, 'g1');
  assert.equal(started, [{ prompt: 'a todo app', app: 'todo', dryRun: true }]);
});

test('no token, a malformed body, a wrong type or an unknown field change nothing', async () => {
  const { app, started } = server(() => record);
  assert.is((await app.request('/api/generate', post('{"prompt":"x","app":"todo"}', {}))).status, 401);
  for (const [body, expected] of [
    ['{"prompt":"x","app":"todo"', /not JSON/],
    ['{"prompt":"x","app":"Todo!"}', /"app" must be an app name/],
    ['{"prompt":"x","app":"todo","dryRun":"yes"}', /"dryRun" must be true or false/],
    ['{"prompt":"x","app":"todo","force":true}', /unknown field "force"/],
    ['{"prompt":"x","app":"todo","model":"gpt\\nNexus-Generation: forged"}', /"model" must be a model name/],
  ] as const) {
    const response = await app.request('/api/generate', post(body));
    assert.is(response.status, 400, body);
    assert.match((await response.json() as { error: string }).error, expected);
  }
  assert.equal(started, []);
});

test('a body over the limit is refused before it is read whole, even without a content-length', async () => {
  const { app, started } = server(() => record);
  const huge = JSON.stringify({ prompt: 'x'.repeat(200_000), app: 'todo' });
  const stream = new ReadableStream({ start(controller) { controller.enqueue(new TextEncoder().encode(huge)); controller.close(); } });
  const response = await app.request('/api/generate', { method: 'POST', body: stream, headers: { authorization: `Bearer ${TOKEN}` }, duplex: 'half' } as RequestInit);
  assert.is(response.status, 413);
  assert.equal(started, []);
});

test('a generator at its limit answers 429 with the reason', async () => {
  const { app } = server(() => { throw new GenerationBusyError('2 generations are running, the most this agent runs at once — try again when one has ended', 2); });
  const response = await app.request('/api/generate', post(JSON.stringify({ prompt: 'x', app: 'todo' })));
  assert.is(response.status, 429);
  assert.match((await response.json() as { error: string }).error, /2 generations are running/);
});

test('GET /api/generations/:id answers the record, or 404', async () => {
  const { app } = server(() => record);
  assert.is((await app.request('/api/generations/g1')).status, 200);
  const missing = await app.request('/api/generations/nope');
  assert.is(missing.status, 404);
  assert.match((await missing.json() as { error: string }).error, /no generation nope/);
});

test.run();
