/**
 * The real `openai` and `@anthropic-ai/sdk` clients against loopback servers
 * speaking their wire formats (test/support/fake-llm.ts): what goes out on the
 * wire, how each kind of answer comes back, and which NexusError each failure
 * becomes — the retries being the SDKs' own.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NexusError } from '../../errors/index.ts';
import { anthropicAnswer, openAIAnswer, startFakeAnthropic, startFakeOpenAI, type FakeLlm, type FakeReply } from '../../../test/support/fake-llm.ts';
import { createModelClient, type ModelClient, type ModelRequest, type ProviderName } from './index.ts';

const KEY = 'sk-test-9f8e7d6c5b4a-do-not-leak';

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['summary', 'files'],
  properties: {
    summary: { type: 'string' },
    files: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['path', 'content'], properties: { path: { type: 'string' }, content: { type: 'string' } } },
    },
  },
};

const REQUEST: ModelRequest = {
  system: 'You write small web apps for Nexus.',
  user: 'A todo list with a Postgres table.',
  schemaName: 'nexus_app',
  schema: SCHEMA,
  maxOutputTokens: 4096,
};

const VALUE = { summary: 'A todo app.', files: [{ path: 'server.js', content: 'console.log("hi")\n' }] };

/** The success body each fake gives for VALUE, and how each provider's fake is started. */
const PROVIDERS: { provider: ProviderName; model: string; start: (reply: (body: any, index: number) => FakeReply) => Promise<FakeLlm>; ok: () => unknown }[] = [
  { provider: 'openai', model: 'gpt-4.1', start: startFakeOpenAI, ok: () => openAIAnswer(VALUE) },
  { provider: 'anthropic', model: 'claude-sonnet-5-5', start: startFakeAnthropic, ok: () => anthropicAnswer(VALUE) },
];

function clientFor(provider: ProviderName, model: string, fake: FakeLlm, extra: { timeoutMs?: number; maxRetries?: number } = {}): ModelClient {
  return createModelClient({ provider, model, apiKey: KEY, baseURL: fake.baseURL, ...extra });
}

/** The NexusError `promise` rejects with (fails the test if it resolves or throws anything else). */
async function rejection(promise: Promise<unknown>): Promise<NexusError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof NexusError) return error;
    throw new Error(`expected a NexusError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a rejection, got an answer');
}

async function withFake<T>(start: Promise<FakeLlm>, run: (fake: FakeLlm) => Promise<T>): Promise<T> {
  const fake = await start;
  try {
    return await run(fake);
  } finally {
    await fake.close();
  }
}

// ── What goes out, and a complete answer ─────────────────────────────────────

test('openai: sends a strict json_schema request with the model, max tokens and bearer key; parses the content', async () => {
  await withFake(startFakeOpenAI(() => ({ body: openAIAnswer(VALUE) })), async (fake) => {
    const answer = await clientFor('openai', 'gpt-4.1', fake).complete(REQUEST);

    assert.equal(answer.kind, 'complete');
    if (answer.kind !== 'complete') return;
    assert.equal(answer.value, VALUE);
    assert.equal(answer.usage?.inputTokens, 812);
    assert.ok((answer.usage?.outputTokens ?? 0) > 0);

    assert.is(fake.requests.length, 1);
    const [sent] = fake.requests;
    assert.is(sent!.method, 'POST');
    assert.is(sent!.path, '/v1/chat/completions');
    assert.is(sent!.headers.authorization, `Bearer ${KEY}`);
    assert.is(sent!.body.model, 'gpt-4.1');
    assert.is(sent!.body.max_completion_tokens, 4096);
    assert.equal(sent!.body.messages, [
      { role: 'system', content: REQUEST.system },
      { role: 'user', content: REQUEST.user },
    ]);
    assert.equal(sent!.body.response_format, { type: 'json_schema', json_schema: { name: 'nexus_app', schema: SCHEMA, strict: true } });
  });
});

test('anthropic: forces the schema tool with the model, system, max tokens and key; the value is the tool input', async () => {
  await withFake(startFakeAnthropic(() => ({ body: anthropicAnswer(VALUE) })), async (fake) => {
    const answer = await clientFor('anthropic', 'claude-sonnet-5-5', fake).complete(REQUEST);

    assert.equal(answer.kind, 'complete');
    if (answer.kind !== 'complete') return;
    assert.equal(answer.value, VALUE);
    assert.equal(answer.usage?.inputTokens, 947);

    assert.is(fake.requests.length, 1);
    const [sent] = fake.requests;
    assert.is(sent!.path, '/v1/messages');
    // @anthropic-ai/sdk 1.x sends `apiKey` as a bearer token, not as x-api-key.
    assert.is(sent!.headers.authorization, `Bearer ${KEY}`);
    assert.ok(sent!.headers['anthropic-version'], 'anthropic-version header');
    assert.is(sent!.body.model, 'claude-sonnet-5-5');
    assert.is(sent!.body.max_tokens, 4096);
    assert.is(sent!.body.system, REQUEST.system);
    assert.equal(sent!.body.messages, [{ role: 'user', content: REQUEST.user }]);
    assert.is(sent!.body.tools.length, 1);
    assert.is(sent!.body.tools[0].name, 'nexus_app');
    assert.equal(sent!.body.tools[0].input_schema, SCHEMA);
    assert.equal(sent!.body.tool_choice, { type: 'tool', name: 'nexus_app' });
  });
});

// ── Truncated, refused, malformed ───────────────────────────────────────────

test('openai: finish_reason length is a truncated answer, never parsed', async () => {
  await withFake(startFakeOpenAI(() => ({ body: openAIAnswer(VALUE, { finishReason: 'length' }) })), async (fake) => {
    const answer = await clientFor('openai', 'gpt-4.1', fake).complete(REQUEST);
    assert.is(answer.kind, 'truncated');
    if (answer.kind !== 'truncated') return;
    assert.ok(JSON.stringify(VALUE).startsWith(answer.partialText));
    assert.ok(answer.partialText.length > 0);
  });
});

test('anthropic: stop_reason max_tokens is a truncated answer, never parsed', async () => {
  await withFake(startFakeAnthropic(() => ({ body: anthropicAnswer(VALUE, { stopReason: 'max_tokens' }) })), async (fake) => {
    const answer = await clientFor('anthropic', 'claude-sonnet-5-5', fake).complete(REQUEST);
    assert.is(answer.kind, 'truncated');
  });
});

test('openai: a refusal is AI_REFUSED with its text cut to 300 characters', async () => {
  const refusal = `I can't help with that. ${'x'.repeat(400)}`;
  await withFake(startFakeOpenAI(() => ({ body: openAIAnswer(null, { refusal }) })), async (fake) => {
    const error = await rejection(clientFor('openai', 'gpt-4.1', fake).complete(REQUEST));
    assert.is(error.code, 'AI_REFUSED');
    const data = error.data as { provider: string; refusal: string };
    assert.is(data.provider, 'openai');
    assert.is(data.refusal.length, 300);
    assert.ok(error.message.includes("I can't help with that."));
  });
});

test('anthropic: stop_reason refusal is AI_REFUSED with the explanation', async () => {
  const body = anthropicAnswer(null, { stopReason: 'refusal', refusal: 'This request could enable harm.' });
  await withFake(startFakeAnthropic(() => ({ body })), async (fake) => {
    const error = await rejection(clientFor('anthropic', 'claude-sonnet-5-5', fake).complete(REQUEST));
    assert.is(error.code, 'AI_REFUSED');
    assert.ok(error.message.includes('This request could enable harm.'));
  });
});

test('openai: content that is not JSON is AI_BAD_ANSWER', async () => {
  await withFake(startFakeOpenAI(() => ({ body: openAIAnswer(null, { rawContent: 'Sure! Here is your app: {"summary": ' }) })), async (fake) => {
    const error = await rejection(clientFor('openai', 'gpt-4.1', fake).complete(REQUEST));
    assert.is(error.code, 'AI_BAD_ANSWER');
    assert.is((error.data as { provider: string }).provider, 'openai');
  });
});

test('anthropic: an answer without the tool call is AI_BAD_ANSWER', async () => {
  await withFake(startFakeAnthropic(() => ({ body: anthropicAnswer('Here is the app.', { noTool: true, stopReason: 'end_turn' }) })), async (fake) => {
    const error = await rejection(clientFor('anthropic', 'claude-sonnet-5-5', fake).complete(REQUEST));
    assert.is(error.code, 'AI_BAD_ANSWER');
  });
});

test('anthropic: a call of another tool is AI_BAD_ANSWER', async () => {
  await withFake(startFakeAnthropic(() => ({ body: anthropicAnswer(VALUE, { toolName: 'something_else' }) })), async (fake) => {
    const error = await rejection(clientFor('anthropic', 'claude-sonnet-5-5', fake).complete(REQUEST));
    assert.is(error.code, 'AI_BAD_ANSWER');
  });
});

// ── HTTP failures, retries, timeouts: the same for both providers ───────────

for (const { provider, model, start, ok } of PROVIDERS) {
  test(`${provider}: 401 is AI_AUTH_FAILED after one request, and the key is nowhere in the error`, async () => {
    // Providers quote (part of) the key back; this fake quotes all of it.
    const body =
      provider === 'openai' ?
        { error: { message: `Incorrect API key provided: ${KEY}.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }
      : { type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key ${KEY}` } };
    await withFake(start(() => ({ status: 401, body })), async (fake) => {
      const error = await rejection(clientFor(provider, model, fake).complete(REQUEST));
      assert.is(error.code, 'AI_AUTH_FAILED');
      assert.equal(error.data, { provider, model, status: 401, requestId: (error.data as { requestId: string }).requestId });
      assert.ok(error.message.includes('ai.apiKeyEnv'));
      assert.is(fake.requests.length, 1, 'a 401 is not retried');
      for (const text of [error.message, JSON.stringify(error), String(error.stack), String(error.cause)]) {
        assert.not.ok(text.includes(KEY), `the key leaked into: ${text}`);
      }
    });
  });

  test(`${provider}: 429 then success is a complete answer after one retry (Retry-After honoured)`, async () => {
    await withFake(start((_, index) => (index === 0 ? { status: 429, headers: { 'retry-after-ms': '10' } } : { body: ok() })), async (fake) => {
      const started = Date.now();
      const answer = await clientFor(provider, model, fake).complete(REQUEST);
      assert.is(answer.kind, 'complete');
      assert.is(fake.requests.length, 2);
      assert.ok(Date.now() - started < 250, `retried after retry-after-ms, not the default backoff (${Date.now() - started} ms)`);
    });
  });

  test(`${provider}: 429 on every attempt is AI_RATE_LIMITED`, async () => {
    await withFake(start(() => ({ status: 429, headers: { 'retry-after-ms': '10', 'retry-after': '7' } })), async (fake) => {
      const error = await rejection(clientFor(provider, model, fake, { maxRetries: 1 }).complete(REQUEST));
      assert.is(error.code, 'AI_RATE_LIMITED');
      assert.is(fake.requests.length, 2);
      const data = error.data as { status: number; provider: string; retryAfterSeconds: number; attempts: number };
      assert.is(data.status, 429);
      assert.is(data.provider, provider);
      assert.is(data.retryAfterSeconds, 7);
      assert.is(data.attempts, 2);
    });
  });

  test(`${provider}: 500 three times is AI_PROVIDER_UNAVAILABLE after exactly 3 requests`, async () => {
    await withFake(start(() => ({ status: 500, headers: { 'retry-after-ms': '10' } })), async (fake) => {
      const error = await rejection(clientFor(provider, model, fake).complete(REQUEST));
      assert.is(error.code, 'AI_PROVIDER_UNAVAILABLE');
      assert.is(fake.requests.length, 3);
      assert.is((error.data as { status: number }).status, 500);
      assert.is((error.data as { provider: string }).provider, provider);
    });
  });

  test(`${provider}: a reply slower than timeoutMs is AI_TIMEOUT`, async () => {
    await withFake(start(() => ({ delayMs: 2000, body: ok() })), async (fake) => {
      const started = Date.now();
      const error = await rejection(clientFor(provider, model, fake, { timeoutMs: 300, maxRetries: 0 }).complete(REQUEST));
      assert.is(error.code, 'AI_TIMEOUT');
      assert.is((error.data as { timeoutMs: number }).timeoutMs, 300);
      assert.is(fake.requests.length, 1);
      assert.ok(Date.now() - started < 1500, `gave up after ${Date.now() - started} ms`);
    });
  });

  test(`${provider}: a refused connection is AI_PROVIDER_UNAVAILABLE`, async () => {
    const port = await closedPort();
    const client = createModelClient({ provider, model, apiKey: KEY, baseURL: `http://127.0.0.1:${port}`, maxRetries: 0 });
    const error = await rejection(client.complete(REQUEST));
    assert.is(error.code, 'AI_PROVIDER_UNAVAILABLE');
    assert.ok(error.message.includes('ECONNREFUSED'), error.message);
  });

  test(`${provider}: a 400 is AI_REQUEST_REJECTED with the provider's reason, the key cut out`, async () => {
    const message = `model "nope" does not exist (key ${KEY})`;
    const body = provider === 'openai' ? { error: { message, type: 'invalid_request_error', param: 'model', code: 'model_not_found' } } : { type: 'error', error: { type: 'invalid_request_error', message } };
    await withFake(start(() => ({ status: 400, body })), async (fake) => {
      const error = await rejection(clientFor(provider, model, fake).complete(REQUEST));
      assert.is(error.code, 'AI_REQUEST_REJECTED');
      assert.is(fake.requests.length, 1);
      assert.ok(error.message.includes('does not exist'), error.message);
      assert.not.ok(error.message.includes(KEY));
      assert.not.ok(JSON.stringify(error).includes(KEY));
      assert.not.ok(String(error.cause).includes(KEY), 'an SDK error quoting the key is not kept as the cause');
    });
  });
}

test('an empty API key is AI_KEY_MISSING before any request', () => {
  try {
    createModelClient({ provider: 'openai', model: 'gpt-4.1', apiKey: '' });
    assert.unreachable('should throw');
  } catch (error) {
    assert.instance(error, NexusError);
    assert.is((error as NexusError).code, 'AI_KEY_MISSING');
  }
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test.run();
