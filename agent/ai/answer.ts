import { NexusError } from '../errors/index.ts';
import type { ModelClient } from './providers/index.ts';
import { ANSWER_SCHEMA } from './prompt.ts';

/** A complete answer, before the checks (shape unverified: the model is untrusted). */
export type RawAnswer = unknown;

export class AnswerTruncatedError extends NexusError<'AI_ANSWER_TRUNCATED', { calls: number }> {
  constructor(reason: string, calls: number) {
    super('AI_ANSWER_TRUNCATED', `the model's answer was cut off (its output limit) and could not be completed: ${reason} — raise ai.maxOutputTokens in the agent config, or ask for a smaller app`, { calls });
  }
}

const appSchema = (ANSWER_SCHEMA.properties as Record<string, unknown>).app;

/** Step 2 of a cut-off answer: the file list only (small), with the app entry and summary. */
const PLAN_SCHEMA = {
  type: 'object', additionalProperties: false, required: ['summary', 'app', 'files'],
  properties: {
    summary: { type: 'string' },
    app: appSchema,
    files: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['path', 'purpose'], properties: { path: { type: 'string' }, purpose: { type: 'string' } } } },
  },
};

/** Step 3: the contents of some of the planned files. */
const FILES_SCHEMA = {
  type: 'object', additionalProperties: false, required: ['files'],
  properties: { files: (ANSWER_SCHEMA.properties as Record<string, unknown>).files },
};

/** Files asked for in one call of step 3, before halving on a cut-off. */
const BATCH = 4;

/**
 * Gets a whole answer within `maxCalls` calls. A truncated answer never
 * becomes one: it is recovered by asking for the file list first, then the
 * files in batches (halved when cut off again, so only what was cut is
 * asked again), or refused with AnswerTruncatedError. Provider errors
 * (refusal, 401, 429, 5xx, timeout) pass through.
 */
export async function obtainAnswer(client: ModelClient, input: { system: string; user: string; maxOutputTokens: number; maxCalls?: number; onProgress?: (text: string) => void }): Promise<RawAnswer> {
  const maxCalls = input.maxCalls ?? 12;
  let calls = 0;
  const ask = async (schemaName: string, schema: Record<string, unknown>, user: string) => {
    if (calls >= maxCalls) throw new AnswerTruncatedError(`gave up after ${calls} calls`, calls);
    calls += 1;
    return client.complete({ system: input.system, user, schemaName, schema, maxOutputTokens: input.maxOutputTokens });
  };

  // 1. The whole answer in one call: the usual case.
  const whole = await ask('nexus_app', ANSWER_SCHEMA, input.user);
  if (whole.kind === 'complete') return whole.value;
  input.onProgress?.('the answer was cut off at the output limit: asking for the file list, then the files in batches');

  // 2. The plan: which files, and the manifest entry.
  const plan = await ask('nexus_app_plan', PLAN_SCHEMA, `${input.user}\n\nYour whole answer did not fit in one reply. First list the files of the app (path and a one-line purpose each), with the app entry and summary; their contents come next, a few files at a time.`);
  if (plan.kind !== 'complete') throw new AnswerTruncatedError('even the list of files was cut off', calls);
  const planned = plan.value as { summary?: unknown; app?: unknown; files?: { path?: unknown; purpose?: unknown }[] };
  const paths = Array.isArray(planned.files) ? planned.files.map((file) => String(file?.path ?? '')).filter((path) => path !== '') : [];
  if (paths.length === 0) throw new AnswerTruncatedError('the list of files was empty', calls);
  const listing = paths.map((path) => `- ${path}`).join('\n');

  // 3. The files, in batches; a batch cut off is halved, a single file cut off is fatal.
  const files: { path: string; content: string }[] = [];
  const queue: string[][] = [];
  for (let index = 0; index < paths.length; index += BATCH) queue.push(paths.slice(index, index + BATCH));
  while (queue.length > 0) {
    const batch = queue.shift()!;
    const answer = await ask('nexus_app_files', FILES_SCHEMA, `${input.user}\n\nThe app has these files:\n${listing}\n\nGive the whole content of exactly these files now: ${batch.join(', ')}`);
    if (answer.kind === 'truncated') {
      if (batch.length === 1) throw new AnswerTruncatedError(`${batch[0]} alone does not fit in ${input.maxOutputTokens} output tokens`, calls);
      const half = Math.ceil(batch.length / 2);
      queue.unshift(batch.slice(0, half), batch.slice(half));
      continue;
    }
    const returned = (answer.value as { files?: unknown }).files;
    if (!Array.isArray(returned)) throw new AnswerTruncatedError('a batch of files came back without its files', calls);
    const byPath = new Map(returned.map((file) => [String((file as { path?: unknown })?.path), file as { path: string; content: string }]));
    const missing = batch.filter((path) => !byPath.has(path));
    for (const path of batch) if (byPath.has(path)) files.push(byPath.get(path)!);
    if (missing.length > 0) {
      if (missing.length === batch.length && batch.length === 1) throw new AnswerTruncatedError(`the model did not return ${batch[0]}`, calls);
      queue.unshift(missing);
    }
  }
  input.onProgress?.(`recovered the cut-off answer in ${calls} calls`);
  return { summary: planned.summary, app: planned.app, files };
}
