import { readFileSync } from 'node:fs';
import answerSchema from './answer.schema.json' with { type: 'json' };

/**
 * The one reviewed system prompt (system-prompt.md beside this file): what
 * the platform gives an app and the rules of an answer. The answer's JSON
 * schema (answer.schema.json) lives beside it.
 */
export const SYSTEM_PROMPT = readFileSync(new URL('./system-prompt.md', import.meta.url), 'utf8');

/** The answer schema as sent to providers (strict mode: no $schema/$id/title keys). */
export const ANSWER_SCHEMA: Record<string, unknown> = (() => {
  const { $schema: _schema, $id: _id, title: _title, description: _description, ...rest } = answerSchema as Record<string, unknown>;
  return rest;
})();

/** What the model is asked, for a new app or a change of an existing one. */
export function renderUserMessage(input: {
  prompt: string;
  app: string;
  folder: string;
  /** The app's current files (a change), capped by the caller. */
  currentFiles?: Record<string, string>;
  /** The app's current nexus.yaml entry, as YAML. */
  currentEntry?: string;
  /** Evidence of the last attempt's failure (self-repair). */
  failure?: string;
}): string {
  const parts = [`Request: ${input.prompt}`, `App name: ${input.app} (its folder in the repository: ${input.folder})`];
  if (input.currentEntry) parts.push(`Its current nexus.yaml entry:\n${input.currentEntry}`);
  const files = Object.entries(input.currentFiles ?? {});
  if (files.length > 0) {
    parts.push(`Its current files (change what the request needs; return only changed or new files, whole):`);
    for (const [path, content] of files) parts.push(`--- ${path}\n${content}`);
  }
  if (input.failure) parts.push(`The last version failed on the platform. Fix it. Evidence:\n${input.failure}`);
  return parts.join('\n\n');
}
