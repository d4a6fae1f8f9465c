/** Anthropic adapter: Messages with one tool whose input schema is the answer's, and tool_choice forcing it. */
import Anthropic from '@anthropic-ai/sdk';
import { AiBadAnswerError, AiRefusedError, clip, connectionReason, failureToError, type ProviderFailure } from './errors.ts';
import type { ModelAnswer, ModelClient, ModelRequest, ResolvedClientOptions } from './index.ts';

const PROVIDER = 'anthropic';

/** A ModelClient on the official `@anthropic-ai/sdk`. */
export function createAnthropicModelClient(options: ResolvedClientOptions): ModelClient {
  const client = new Anthropic({
    apiKey: options.apiKey,
    // Explicit, so ANTHROPIC_BASE_URL in the agent's environment changes nothing.
    baseURL: options.baseURL ?? 'https://api.anthropic.com',
    // Always set: without a timeout the SDK refuses non-streaming requests whose max_tokens could take over 10 min.
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
      let message: Anthropic.Message;
      try {
        message = await client.messages.create({
          model: options.model,
          system: request.system,
          max_tokens: request.maxOutputTokens,
          messages: [{ role: 'user', content: request.user }],
          tools: [{ name: request.schemaName, description: `Give the answer as the ${request.schemaName} object.`, input_schema: request.schema as Anthropic.Tool.InputSchema }],
          tool_choice: { type: 'tool', name: request.schemaName },
        });
      } catch (error) {
        const failure = readAnthropicFailure(error);
        throw failure ? failureToError(failure, where, error) : error;
      }
      return readMessage(message, request.schemaName, options.model);
    },
  };
}

/** What an SDK error means; undefined for errors that are not about the request (programming errors). */
function readAnthropicFailure(error: unknown): ProviderFailure | undefined {
  if (error instanceof Anthropic.APIConnectionTimeoutError) return { kind: 'timeout' };
  if (error instanceof Anthropic.APIUserAbortError) return undefined;
  if (error instanceof Anthropic.APIConnectionError) return { kind: 'connection', reason: connectionReason(error.cause ?? error) };
  if (error instanceof Anthropic.APIError && typeof error.status === 'number') {
    return {
      kind: 'status',
      status: error.status,
      ...(error.requestID ? { requestId: error.requestID } : {}),
      ...(error.headers?.get('retry-after') ? { retryAfter: error.headers.get('retry-after')! } : {}),
      detail: error.apiMessage ?? error.message,
    };
  }
  return undefined;
}

/** The answer in a message: refusal, truncation, or the forced tool call's input. */
export function readMessage(message: Anthropic.Message, toolName: string, model: string): ModelAnswer {
  const base = { provider: PROVIDER, model } as const;
  const text = message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
  const toolUse = message.content.find((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use' && block.name === toolName);

  if (message.stop_reason === 'refusal') {
    const said = message.stop_details?.explanation ?? text;
    throw new AiRefusedError({ ...base, refusal: clip(said, 300) });
  }
  // Cut off by max_tokens (or the context window): whatever came is a fragment, never the answer.
  if (message.stop_reason === 'max_tokens' || message.stop_reason === 'model_context_window_exceeded') {
    return { kind: 'truncated', partialText: text + (toolUse ? JSON.stringify(toolUse.input) : '') };
  }
  if (!toolUse) throw new AiBadAnswerError({ ...base, reason: `no ${toolName} tool call (stop_reason ${message.stop_reason})`, text: clip(text, 300) });
  if (toolUse.input === null || typeof toolUse.input !== 'object') {
    throw new AiBadAnswerError({ ...base, reason: 'the tool input is not a JSON object', text: clip(String(toolUse.input), 300) });
  }
  const { usage } = message;
  return { kind: 'complete', value: toolUse.input, usage: { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens } };
}
