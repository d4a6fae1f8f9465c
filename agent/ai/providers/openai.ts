/** OpenAI adapter: Chat Completions with a strict json_schema response format. */
import OpenAI from 'openai';
import { AiBadAnswerError, AiRefusedError, clip, connectionReason, failureToError, type ProviderFailure } from './errors.ts';
import type { ModelAnswer, ModelClient, ModelRequest, ResolvedClientOptions } from './index.ts';

const PROVIDER = 'openai';

/** A ModelClient on the official `openai` SDK. */
export function createOpenAIModelClient(options: ResolvedClientOptions): ModelClient {
  const client = new OpenAI({
    apiKey: options.apiKey,
    // Explicit, so OPENAI_BASE_URL / OPENAI_ORG_ID / OPENAI_PROJECT_ID in the agent's environment change nothing.
    baseURL: options.baseURL ?? 'https://api.openai.com/v1',
    organization: null,
    project: null,
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries,
    // The SDK's own logging (its *_LOG env var) would print prompts and answers past the agent's redactor.
    logLevel: 'off',
  });
  const where = { provider: PROVIDER, model: options.model, timeoutMs: options.timeoutMs, attempts: options.maxRetries + 1, secret: options.apiKey } as const;

  return {
    provider: PROVIDER,
    model: options.model,
    async complete(request: ModelRequest): Promise<ModelAnswer> {
      let completion: OpenAI.ChatCompletion;
      try {
        completion = await client.chat.completions.create({
          model: options.model,
          messages: [
            { role: 'system', content: request.system },
            { role: 'user', content: request.user },
          ],
          response_format: { type: 'json_schema', json_schema: { name: request.schemaName, schema: request.schema, strict: true } },
          max_completion_tokens: request.maxOutputTokens,
        });
      } catch (error) {
        const failure = readOpenAIFailure(error);
        throw failure ? failureToError(failure, where, error) : error;
      }
      return readChatCompletion(completion, options.model);
    },
  };
}

/** What an SDK error means; undefined for errors that are not about the request (programming errors). */
function readOpenAIFailure(error: unknown): ProviderFailure | undefined {
  if (error instanceof OpenAI.APIConnectionTimeoutError) return { kind: 'timeout' };
  if (error instanceof OpenAI.APIUserAbortError) return undefined;
  if (error instanceof OpenAI.APIConnectionError) return { kind: 'connection', reason: connectionReason(error.cause ?? error) };
  if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
    return {
      kind: 'status',
      status: error.status,
      ...(error.requestID ? { requestId: error.requestID } : {}),
      ...(error.headers?.get('retry-after') ? { retryAfter: error.headers.get('retry-after')! } : {}),
      // The body's own message; error.message is prefixed with the status.
      detail: providerMessage(error.error) ?? error.message,
    };
  }
  return undefined;
}

function providerMessage(body: unknown): string | undefined {
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && message ? message : undefined;
}

/** The answer in a completion: refusal, truncation, or the message content parsed as JSON. */
export function readChatCompletion(completion: OpenAI.ChatCompletion, model: string): ModelAnswer {
  const choice = completion.choices[0];
  const base = { provider: PROVIDER, model } as const;
  if (!choice) throw new AiBadAnswerError({ ...base, reason: 'the completion has no choices', text: '' });
  const { message } = choice;
  if (typeof message.refusal === 'string' && message.refusal) throw new AiRefusedError({ ...base, refusal: clip(message.refusal, 300) });
  if (choice.finish_reason === 'length') return { kind: 'truncated', partialText: message.content ?? '' };
  if (choice.finish_reason === 'content_filter') throw new AiRefusedError({ ...base, refusal: 'the provider content filter stopped the answer' });

  const text = message.content ?? '';
  if (!text) throw new AiBadAnswerError({ ...base, reason: `no content (finish_reason ${choice.finish_reason})`, text: '' });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AiBadAnswerError({ ...base, reason: 'the content is not valid JSON', text: clip(text, 300) }, { cause: error });
  }
  const usage = completion.usage;
  return { kind: 'complete', value, ...(usage ? { usage: { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens } } : {}) };
}
