/**
 * Loopback HTTP servers that speak the OpenAI Chat Completions and Anthropic
 * Messages wire formats, so tests can drive the real `openai` and
 * `@anthropic-ai/sdk` clients (pointed at `baseURL`) without a network.
 * Each records every request (path, headers, parsed body) and answers with
 * what `reply(body, index)` returns; a missing error body is filled in with
 * the provider's error shape, so the SDKs raise their usual error classes.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeLlmRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

export interface FakeLlm {
  baseURL: string;
  requests: FakeLlmRequest[];
  close(): Promise<void>;
}

export type FakeReply = { status?: number; body?: unknown; headers?: Record<string, string>; delayMs?: number };

type Reply = (body: any, index: number) => FakeReply | Promise<FakeReply>;

interface WireFormat {
  /** What the SDK is given as baseURL, relative to the server's origin. */
  basePath: string;
  /** The one endpoint that answers. */
  endpoint: string;
  requestIdHeader: string;
  errorBody(status: number, requestId: string): unknown;
}

const OPENAI: WireFormat = {
  basePath: '/v1',
  endpoint: '/v1/chat/completions',
  requestIdHeader: 'x-request-id',
  errorBody: (status) => ({ error: { message: `fake OpenAI error ${status}`, type: openAIErrorType(status), param: null, code: null } }),
};

const ANTHROPIC: WireFormat = {
  // The SDK appends /v1/messages to baseURL itself.
  basePath: '',
  endpoint: '/v1/messages',
  requestIdHeader: 'request-id',
  errorBody: (status, requestId) => ({ type: 'error', error: { type: anthropicErrorType(status), message: `fake Anthropic error ${status}` }, request_id: requestId }),
};

/** A fake of api.openai.com/v1: POST {baseURL}/chat/completions. */
export function startFakeOpenAI(reply: Reply): Promise<FakeLlm> {
  return startFake(OPENAI, reply);
}

/** A fake of api.anthropic.com: POST {baseURL}/v1/messages. */
export function startFakeAnthropic(reply: Reply): Promise<FakeLlm> {
  return startFake(ANTHROPIC, reply);
}

function startFake(format: WireFormat, reply: Reply): Promise<FakeLlm> {
  const requests: FakeLlmRequest[] = [];
  const delays = new Set<NodeJS.Timeout>();
  let answered = 0;

  const server = http.createServer(function handleFakeLlmRequest(req, res) {
    res.on('error', () => {}); // a client that timed out and hung up is not the test's failure
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: any = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // keep the raw text: a test may want to see it
      }
      const path = (req.url ?? '/').split('?')[0]!;
      requests.push({ method: req.method ?? '', path, headers: { ...req.headers }, body });
      const requestId = `req_${randomBytes(12).toString('hex')}`;

      const planned: FakeReply = req.method === 'POST' && path === format.endpoint ? await reply(body, answered++) : { status: 404 };
      if (planned.delayMs) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            delays.delete(timer);
            resolve();
          }, planned.delayMs);
          delays.add(timer);
        });
      }
      // The client may have given up (timeout) while we waited.
      if (res.destroyed || req.socket.destroyed) return;

      const status = planned.status ?? 200;
      const payload = planned.body ?? (status >= 400 ? format.errorBody(status, requestId) : {});
      res.writeHead(status, { 'content-type': 'application/json', [format.requestIdHeader]: requestId, ...planned.headers });
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        baseURL: `http://127.0.0.1:${port}${format.basePath}`,
        requests,
        close: () =>
          new Promise<void>((done) => {
            // Replies still waiting out a delay are dropped; the SDKs keep connections
            // alive, so close those too or close() waits for their idle timeout.
            for (const timer of delays) clearTimeout(timer);
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A chat.completion body as OpenAI returns it, its message content the JSON of `value` (or `rawContent`). */
export function openAIAnswer(
  value: unknown,
  options: { finishReason?: 'stop' | 'length'; rawContent?: string; refusal?: string; model?: string } = {},
): unknown {
  const json = options.rawContent ?? JSON.stringify(value);
  const finishReason = options.finishReason ?? 'stop';
  // Truncated: a prefix of the JSON, as the model was cut off mid-answer.
  const content = options.refusal !== undefined ? null : finishReason === 'length' && options.rawContent === undefined ? json.slice(0, Math.ceil(json.length / 2)) : json;
  const outputTokens = Math.ceil((content ?? options.refusal ?? '').length / 4);
  return {
    id: `chatcmpl-${randomBytes(15).toString('base64url')}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: options.model ?? 'gpt-4.1-2025-04-14',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: options.refusal ?? null, annotations: [] },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage: {
      prompt_tokens: 812,
      completion_tokens: outputTokens,
      total_tokens: 812 + outputTokens,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
    service_tier: 'default',
    system_fingerprint: `fp_${randomBytes(5).toString('hex')}`,
  };
}

/** A message body as Anthropic returns it, `value` the input of a tool_use block (a forced tool call). */
export function anthropicAnswer(
  value: unknown,
  options: { stopReason?: 'tool_use' | 'max_tokens' | 'refusal' | 'end_turn'; toolName?: string; model?: string; noTool?: boolean; refusal?: string } = {},
): unknown {
  const stopReason = options.stopReason ?? 'tool_use';
  const toolUse = {
    type: 'tool_use',
    id: `toolu_01${randomBytes(16).toString('base64url').slice(0, 22)}`,
    name: options.toolName ?? 'nexus_app',
    // Cut off mid-call, the API hands back whatever parsed of the input: often just {}.
    input: stopReason === 'max_tokens' ? {} : value,
  };
  const content =
    stopReason === 'refusal' ? []
    : options.noTool ? [{ type: 'text', text: typeof value === 'string' ? value : 'Here is the app you asked for.', citations: null }]
    : [toolUse];
  const outputTokens = Math.ceil(JSON.stringify(content).length / 4);
  return {
    id: `msg_01${randomBytes(16).toString('base64url').slice(0, 22)}`,
    type: 'message',
    role: 'assistant',
    model: options.model ?? 'claude-sonnet-5-5',
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    stop_details: stopReason === 'refusal' ? { type: 'refusal', category: null, explanation: options.refusal ?? null } : null,
    container: null,
    usage: {
      input_tokens: 947,
      output_tokens: outputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      server_tool_use: null,
      service_tier: 'standard',
    },
  };
}

function openAIErrorType(status: number): string {
  if (status === 401) return 'invalid_request_error';
  if (status === 429) return 'rate_limit_exceeded';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

function anthropicErrorType(status: number): string {
  const types: Record<number, string> = { 400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error', 413: 'request_too_large', 429: 'rate_limit_error', 500: 'api_error', 529: 'overloaded_error' };
  return types[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}
