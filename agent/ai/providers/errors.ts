/**
 * One error per way a call to a model provider fails. None of them ever holds
 * the API key: messages name the config field instead, provider text is
 * scrubbed of the key, and an auth failure keeps no SDK error as its cause.
 */
import { NexusError } from '../../errors/index.ts';

export type ProviderName = 'openai' | 'anthropic';

/** Where a failure happened: always the provider and model, the HTTP status when there was a response. */
export interface ProviderErrorData {
  provider: ProviderName;
  model: string;
  status?: number;
  requestId?: string;
}

/** The provider answered 401/403: the key is wrong, revoked or lacks access to the model. */
export class AiAuthFailedError extends NexusError<'AI_AUTH_FAILED', ProviderErrorData> {
  constructor(data: ProviderErrorData) {
    super('AI_AUTH_FAILED', `${data.provider} refused the API key (HTTP ${data.status}) — check the API key the agent config's ai.apiKeyEnv names: that it is set in the agent's environment, current, and allowed to use model "${data.model}"`, data);
  }
}

/** The agent was given no API key at all. */
export class AiKeyMissingError extends NexusError<'AI_KEY_MISSING', ProviderErrorData> {
  constructor(data: ProviderErrorData) {
    super('AI_KEY_MISSING', `no API key for ${data.provider} — set the environment variable the agent config's ai.apiKeyEnv names in the agent's environment`, data);
  }
}

/** Still 429 after the SDK's retries (which honour Retry-After). */
export class AiRateLimitedError extends NexusError<'AI_RATE_LIMITED', ProviderErrorData & { attempts: number; retryAfterSeconds?: number }> {
  constructor(data: ProviderErrorData & { attempts: number; retryAfterSeconds?: number }, options?: { cause?: unknown }) {
    const wait = data.retryAfterSeconds !== undefined ? `wait ${data.retryAfterSeconds} s` : 'wait a minute';
    super('AI_RATE_LIMITED', `${data.provider} rate-limited the request (HTTP 429, ${attemptsText(data.attempts)}) — ${wait} and try again, or raise the account's rate limit or quota`, data, options);
  }
}

/** 5xx after the SDK's retries, or no connection at all (refused, reset, DNS). */
export class AiProviderUnavailableError extends NexusError<'AI_PROVIDER_UNAVAILABLE', ProviderErrorData & { attempts: number }> {
  constructor(data: ProviderErrorData & { attempts: number }, reason: string, options?: { cause?: unknown }) {
    super('AI_PROVIDER_UNAVAILABLE', `${data.provider} is unavailable (${reason}, ${attemptsText(data.attempts)}) — try again later; if it keeps failing, check the agent config's ai.baseURL and the agent's network`, data, options);
  }
}

/** No answer within the timeout, on every attempt. */
export class AiTimeoutError extends NexusError<'AI_TIMEOUT', ProviderErrorData & { attempts: number; timeoutMs: number }> {
  constructor(data: ProviderErrorData & { attempts: number; timeoutMs: number }, options?: { cause?: unknown }) {
    super('AI_TIMEOUT', `${data.provider} did not answer within ${data.timeoutMs} ms (${attemptsText(data.attempts)}) — try again, ask for a smaller app, or raise the agent config's ai.timeout`, data, options);
  }
}

/** The provider rejected the request itself (400, 404, 422, …): usually an unknown model or a schema it does not accept. */
export class AiRequestRejectedError extends NexusError<'AI_REQUEST_REJECTED', ProviderErrorData & { detail: string }> {
  constructor(data: ProviderErrorData & { detail: string }, options?: { cause?: unknown }) {
    super('AI_REQUEST_REJECTED', `${data.provider} rejected the request (HTTP ${data.status}: ${data.detail}) — check the agent config's ai.model ("${data.model}") and ai.baseURL`, data, options);
  }
}

/** The model declined to answer. */
export class AiRefusedError extends NexusError<'AI_REFUSED', ProviderErrorData & { refusal: string }> {
  constructor(data: ProviderErrorData & { refusal: string }) {
    const said = data.refusal ? `: "${data.refusal}"` : '';
    super('AI_REFUSED', `the model ${data.model} refused to answer${said} — rephrase the description of the app`, data);
  }
}

/** The model answered, but not with the JSON or tool call that was asked for. */
export class AiBadAnswerError extends NexusError<'AI_BAD_ANSWER', ProviderErrorData & { reason: string; text: string }> {
  constructor(data: ProviderErrorData & { reason: string; text: string }, options?: { cause?: unknown }) {
    super('AI_BAD_ANSWER', `the model ${data.model} did not answer in the required format (${data.reason}) — try again, or use a model that supports structured output`, data, options);
  }
}

/** What went wrong with a request, as read from either SDK's error classes. */
export type ProviderFailure =
  | { kind: 'timeout' }
  | { kind: 'connection'; reason: string }
  | { kind: 'status'; status: number; requestId?: string; retryAfter?: string; detail: string };

/** Turns a provider failure into the Nexus error for it; `secret` (the API key) is cut out of any provider text kept. */
export function failureToError(failure: ProviderFailure, where: { provider: ProviderName; model: string; timeoutMs: number; attempts: number; secret: string }, cause: unknown): NexusError {
  const { attempts, timeoutMs } = where;
  // A provider may quote the key back (OpenAI's 401 does, masked); an SDK error that holds it is not kept.
  if (mentions(cause, where.secret)) cause = undefined;
  const base: ProviderErrorData = { provider: where.provider, model: where.model };
  if (failure.kind === 'timeout') return new AiTimeoutError({ ...base, attempts, timeoutMs }, { cause });
  if (failure.kind === 'connection') return new AiProviderUnavailableError({ ...base, attempts }, clip(scrub(failure.reason, where.secret), 200), { cause });

  const data: ProviderErrorData = { ...base, status: failure.status, ...(failure.requestId ? { requestId: failure.requestId } : {}) };
  // Never a cause here: a 401's text may quote part of the key, masked in a way we cannot scrub.
  if (failure.status === 401 || failure.status === 403) return new AiAuthFailedError(data);
  if (failure.status === 429) {
    const seconds = Number(failure.retryAfter);
    return new AiRateLimitedError({ ...data, attempts, ...(failure.retryAfter && Number.isFinite(seconds) ? { retryAfterSeconds: seconds } : {}) }, { cause });
  }
  if (failure.status === 408) return new AiTimeoutError({ ...data, attempts, timeoutMs }, { cause });
  if (failure.status >= 500) return new AiProviderUnavailableError({ ...data, attempts }, `HTTP ${failure.status}`, { cause });
  return new AiRequestRejectedError({ ...data, detail: clip(scrub(failure.detail, where.secret), 300) }, { cause });
}

/** Removes every occurrence of `secret` from provider text. */
export function scrub(text: string, secret: string): string {
  return secret ? text.split(secret).join('[redacted]') : text;
}

/** Whether an error's message, or one of its causes', holds `secret`. */
function mentions(error: unknown, secret: string): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (secret && current.message.includes(secret)) return true;
  }
  return false;
}

function attemptsText(attempts: number): string {
  return attempts === 1 ? '1 attempt, no retries' : `${attempts} attempts`;
}

/** Cuts text to `max` characters, marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Why a connection failed, from the innermost cause (e.g. "connect ECONNREFUSED 127.0.0.1:443" rather than "fetch failed"). */
export function connectionReason(error: unknown): string {
  let reason = error instanceof Error ? error.message : String(error);
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code && !current.message.includes(code)) reason = `${code}: ${current.message}`;
    else if (current.message) reason = current.message;
  }
  return reason;
}
