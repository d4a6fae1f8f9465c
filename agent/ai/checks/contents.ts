import { posix } from 'node:path';
import { repoPathOf } from './paths.ts';
import type { Answer } from './shape.ts';

/**
 * Every package.json of the answer is a JSON object: npm refuses anything
 * else, and detection would quietly treat a broken one as empty. The
 * parser's own message is not repeated: it quotes the file's text.
 */
export function checkPackageJsons(answer: Answer, appFolder: string): string[] {
  const problems: string[] = [];
  for (const file of answer.files) {
    if (posix.basename(file.path) !== 'package.json') continue;
    const where = repoPathOf(appFolder, file.path);
    let value: unknown;
    try {
      value = JSON.parse(file.content);
    } catch (error) {
      const position = /position (\d+)/.exec((error as Error).message)?.[1];
      problems.push(`${where} is not valid JSON${position === undefined ? '' : ` (the parser stopped at character ${position})`}; write it as one JSON object, e.g. {"name": "app", "scripts": {"start": "node server.js"}}.`);
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`${where} holds ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}, not a JSON object; write it as one JSON object, e.g. {"name": "app"}.`);
    }
  }
  return problems;
}

/**
 * Env values reach the manifest and a container's environment, where a
 * NUL cannot go and escape sequences would reach whoever reads them.
 * Tabs and newlines are text.
 */
export function checkEnvValues(answer: Answer): string[] {
  const problems: string[] = [];
  answer.app.env.forEach((entry, index) => {
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(entry.value)) {
      problems.push(`answer.app.env[${index}] has a value with control characters (such as NUL or an escape); give plain text.`);
    }
  });
  return problems;
}

/**
 * The summary becomes the commit message: something to read, and nothing a
 * terminal would act on (escape sequences) when `git log` shows it.
 */
export function checkSummary(summary: string): string[] {
  if (summary.trim() === '') return ['answer.summary is empty; say in two or three sentences what the app does and what changed (it becomes the commit message).'];
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(summary)) return ['answer.summary contains control characters (such as escape sequences); write plain sentences.'];
  return [];
}
