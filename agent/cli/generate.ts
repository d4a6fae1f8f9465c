import { loadAgentConfig } from '../config/index.ts';
import type { Generation } from '../ai/generation.ts';
import { FINISHED } from '../ai/generation.ts';
import { callAgent } from './api.ts';

export const usage = 'nexus generate "<prompt>" --app NAME [--repo REPO] [--provider openai|anthropic] [--model M] [--dry-run] --config FILE   an AI-written app, committed and deployed';

export interface GenerateOptions {
  config: string;
  prompt: string | undefined;
  app: string | undefined;
  repo?: string;
  provider?: string;
  model?: string;
  dryRun: boolean;
  json: boolean;
  /** Poll interval; tests make it short. */
  intervalMs?: number;
}

/**
 * `nexus generate`: asks the agent to generate (the agent holds the API
 * key and the repo credentials), then follows the generation, printing
 * each step, until it is live, refused or failed.
 */
export async function runGenerate(options: GenerateOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  if (!options.prompt || !options.app) throw new Error(`describe the app and name it: ${usage}`);
  const config = await loadAgentConfig(options.config);
  const started = await callAgent<Generation>(config, 'POST', '/api/generate', {
    prompt: options.prompt, app: options.app,
    ...(options.repo ? { repo: options.repo } : {}),
    ...(options.provider ? { provider: options.provider } : {}),
    ...(options.model ? { model: options.model } : {}),
    ...(options.dryRun ? { dryRun: true } : {}),
  });
  if (!options.json) out.write(`generation ${started.id}: ${started.repo}/${started.app} with ${started.provider} ${started.model}\n`);
  let printed = 0;
  for (;;) {
    const current = await callAgent<Generation>(config, 'GET', `/api/generations/${started.id}`);
    if (!options.json) for (const step of current.steps.slice(printed)) out.write(`  ${printable(step.text)}\n`);
    printed = current.steps.length;
    if (FINISHED.has(current.status)) {
      if (options.json) out.write(`${JSON.stringify(current, null, 2)}\n`);
      else if (current.status === 'dry-run' && current.preview) out.write(printable(renderPreview(current)));
      return current.status === 'live' || current.status === 'dry-run' ? 0 : 1;
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1_000));
  }
}

/** The files and the manifest change of a dry run. */
export function renderPreview(generation: Generation): string {
  const preview = generation.preview!;
  const lines = [`\n${generation.summary ?? ''}`, `build: ${generation.build ?? '?'}`, ''];
  for (const [path, content] of Object.entries(preview.files)) {
    if (path === 'nexus.yaml' || content === preview.manifestAfter) continue;
    lines.push(`=== ${path} (${content.split('\n').length} lines)`, content.trimEnd(), '');
  }
  lines.push('=== nexus.yaml (change)', ...lineDiff(preview.manifestBefore, preview.manifestAfter), '');
  return `${lines.join('\n')}\n`;
}

/** A minimal line diff: removed lines with "-", added with "+", by longest common subsequence. */
export function lineDiff(before: string, after: string): string[] {
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const b = after.replace(/\n$/, '').split('\n');
  const table = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i -= 1) for (let j = b.length - 1; j >= 0; j -= 1) table[i]![j] = a[i] === b[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
  const lines: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) lines.push(`  ${a[i++]}`), j++;
    else if (j < b.length && (i === a.length || table[i]![j + 1]! >= table[i + 1]![j]!)) lines.push(`+ ${b[j++]}`);
    else lines.push(`- ${a[i++]}`);
  }
  return lines;
}

/**
 * What a model wrote, made safe for a terminal: control characters other
 * than newline and tab (escape sequences that move the cursor, set the
 * title or write the clipboard) are shown as \xNN.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
