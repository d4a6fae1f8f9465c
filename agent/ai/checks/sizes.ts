import type { Answer } from './shape.ts';

/** How much one answer may write. */
export interface AnswerLimits {
  maxFiles: number;
  maxFileBytes: number;
  maxTotalBytes: number;
}

export const DEFAULT_ANSWER_LIMITS: AnswerLimits = {
  maxFiles: 200,
  maxFileBytes: 512 * 1024,
  maxTotalBytes: 5 * 1024 * 1024,
};

/**
 * Bounds of the parts of the answer that go into nexus.yaml and the commit
 * message. Not configurable: no app needs more, and each value is scanned
 * for secrets and written into the manifest.
 */
const MAX_ENV_ENTRIES = 100;
const MAX_ENV_VALUE_BYTES = 8 * 1024;
const MAX_DOMAINS = 20;
const MAX_SUMMARY_CHARS = 2_000;

/**
 * Counts checked before anything looks at the answer item by item (even
 * the schema): a 10,000-file answer is refused by its length alone. Looks
 * only at arrays and strings where the schema expects them; their shape is
 * the schema's business.
 */
export function checkCounts(answer: unknown, limits: AnswerLimits): string[] {
  if (!isObject(answer)) return [];
  const problems: string[] = [];
  const { files, app, summary } = answer;
  if (Array.isArray(files) && files.length > limits.maxFiles) {
    problems.push(`The answer has ${count(files.length)} files; at most ${count(limits.maxFiles)} are allowed — write fewer, larger files.`);
  }
  if (isObject(app) && Array.isArray(app.env) && app.env.length > MAX_ENV_ENTRIES) {
    problems.push(`answer.app.env has ${count(app.env.length)} entries; at most ${MAX_ENV_ENTRIES} are allowed.`);
  }
  if (isObject(app) && Array.isArray(app.domains) && app.domains.length > MAX_DOMAINS) {
    problems.push(`answer.app.domains has ${count(app.domains.length)} entries; at most ${MAX_DOMAINS} are allowed.`);
  }
  if (typeof summary === 'string' && summary.length > MAX_SUMMARY_CHARS) {
    problems.push(`answer.summary has ${count(summary.length)} characters; at most ${count(MAX_SUMMARY_CHARS)} are allowed (two or three sentences).`);
  }
  return problems;
}

/**
 * Byte sizes as UTF-8, the way the files are committed (Buffer.byteLength
 * counts without encoding, so a 50 MB file costs milliseconds).
 */
export function checkSizes(answer: Answer, limits: AnswerLimits): string[] {
  const problems: string[] = [];
  let total = 0;
  answer.files.forEach((file, index) => {
    const bytes = utf8Bytes(file.content);
    total += bytes;
    if (bytes > limits.maxFileBytes) {
      problems.push(`answer.files[${index}] (${showName(file.path)}) is ${formatBytes(bytes)}; a file may have at most ${formatBytes(limits.maxFileBytes)}.`);
    }
  });
  if (total > limits.maxTotalBytes) {
    problems.push(`The answer's ${answer.files.length} files add up to ${formatBytes(total)}; all files together may have at most ${formatBytes(limits.maxTotalBytes)}.`);
  }
  answer.app.env.forEach((entry, index) => {
    const bytes = utf8Bytes(entry.value);
    if (bytes > MAX_ENV_VALUE_BYTES) {
      problems.push(`answer.app.env[${index}] (${showName(entry.name)}) has a value of ${formatBytes(bytes)}; an env value may have at most ${formatBytes(MAX_ENV_VALUE_BYTES)}.`);
    }
  });
  return problems;
}

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** "10,000". */
export function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** "52,428,800 bytes (50 MiB)". */
export function formatBytes(bytes: number): string {
  const exact = `${count(bytes)} bytes`;
  if (bytes >= 1024 * 1024) return `${exact} (${round(bytes / 1024 / 1024)} MiB)`;
  if (bytes >= 1024) return `${exact} (${round(bytes / 1024)} KiB)`;
  return exact;
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** A name from the answer for a message: JSON-quoted (shows control characters), cut short. */
export function showName(name: string): string {
  return JSON.stringify(name.length > 120 ? `${name.slice(0, 120)}…` : name);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
