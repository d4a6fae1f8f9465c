/**
 * The AI generator's view of a model provider: send a system prompt, a user
 * message and a JSON schema; get back the parsed JSON, a truncated answer, or
 * a NexusError that says what to do. The two adapters (openai.ts,
 * anthropic.ts) only translate to and from their SDK; retries and backoff are
 * the SDK's own (maxRetries, honouring Retry-After).
 */
import { createAnthropicModelClient } from './anthropic.ts';
import { AiKeyMissingError, type ProviderName } from './errors.ts';
import { createOpenAIModelClient } from './openai.ts';

export * from './errors.ts';

export interface ModelRequest {
  /** System prompt. */
  system: string;
  /** User message. */
  user: string;
  /** Name of the schema (OpenAI's json_schema name, Anthropic's tool name), e.g. "nexus_app". */
  schemaName: string;
  /** JSON schema the answer must follow; strict-mode compatible (all properties required, additionalProperties false). */
  schema: Record<string, unknown>;
  maxOutputTokens: number;
}

export interface ModelUsage {
  inputTokens?: number;
  outputTokens?: number;
}

/** A parsed answer, or one cut off by the output-token limit (never parsed: a prefix of JSON is not the answer). */
export type ModelAnswer =
  | { kind: 'complete'; value: unknown; usage?: ModelUsage }
  | { kind: 'truncated'; partialText: string };

export interface ModelClient {
  readonly provider: ProviderName;
  readonly model: string;
  complete(request: ModelRequest): Promise<ModelAnswer>;
}

export interface ModelClientOptions {
  provider: ProviderName;
  model: string;
  apiKey: string;
  /** Defaults to the provider's public API; never read from the environment (OPENAI_BASE_URL, ANTHROPIC_BASE_URL). */
  baseURL?: string;
  /** Per attempt. Default 120 s. */
  timeoutMs?: number;
  /** Retries after the first attempt, on connection errors, timeouts, 408, 409, 429 and 5xx. Default 2. */
  maxRetries?: number;
}

/** What an adapter needs, defaults filled in. */
export interface ResolvedClientOptions {
  model: string;
  apiKey: string;
  baseURL: string | undefined;
  timeoutMs: number;
  maxRetries: number;
}

export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_MAX_RETRIES = 2;

/** Builds the client for the configured provider, on that provider's official SDK. */
export function createModelClient(options: ModelClientOptions): ModelClient {
  if (!options.apiKey) throw new AiKeyMissingError({ provider: options.provider, model: options.model });
  const resolved: ResolvedClientOptions = {
    model: options.model,
    apiKey: options.apiKey,
    baseURL: options.baseURL || undefined,
    // The SDKs reject a timeout that is not a whole number of milliseconds.
    timeoutMs: Math.max(1, Math.ceil(options.timeoutMs ?? DEFAULT_TIMEOUT_MS)),
    maxRetries: Math.max(0, Math.floor(options.maxRetries ?? DEFAULT_MAX_RETRIES)),
  };
  switch (options.provider) {
    case 'openai':
      return createOpenAIModelClient(resolved);
    case 'anthropic':
      return createAnthropicModelClient(resolved);
  }
}
