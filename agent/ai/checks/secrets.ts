import type { Answer } from './shape.ts';
import { repoPathOf } from './paths.ts';

/** Where a secret was seen, never what it is. */
interface Hit {
  /** "an OpenAI API key" — what the text looks like, for the message. */
  kind: string;
  /** UTF-16 offset of the match in the scanned text. */
  index: number;
}

/**
 * Well-known key formats. Each pattern is linear (one bounded run after a
 * fixed prefix), so scanning megabytes stays fast. Anthropic comes before
 * OpenAI: its keys also start with "sk-".
 */
const KEY_FORMATS: readonly { kind: string; pattern: RegExp }[] = [
  { kind: 'an Anthropic API key', pattern: /sk-ant-[A-Za-z0-9_-]/ },
  { kind: 'an OpenAI API key', pattern: /(?<![A-Za-z0-9_-])sk-(?!ant-)[A-Za-z0-9_-]{20,}/ },
  { kind: 'an AWS access key id', pattern: /AKIA[0-9A-Z]{16}/ },
  { kind: 'a GitHub token', pattern: /gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,}/ },
  { kind: 'a Slack token', pattern: /xox[abprs]-[A-Za-z0-9]/ },
  { kind: 'a Stripe secret key', pattern: /[sr]k_live_[A-Za-z0-9]/ },
  { kind: 'a Google API key', pattern: /AIza[0-9A-Za-z_-]{35}/ },
  { kind: 'a private key', pattern: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/ },
];

/** A connection string with a password in it ("postgres://user:pw@host"); only env values are held to this. */
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:[^\s@/]+@/i;

/** Env names that say "secret": their values belong in `nexus secret set`. */
const SECRET_NAME = /(KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL)/i;

const FORBIDDEN_KIND = 'a protected value (one the agent never lets into the repository, such as its provider API key)';

/**
 * Finds secrets in the answer: the caller's forbidden values and
 * well-known key formats anywhere (files, summary, app fields), and in
 * env also secret-sounding names with a value and random-looking values.
 * Messages say where and what kind, never the value.
 */
export function checkSecrets(answer: Answer, input: { appName: string; appFolder: string; forbiddenValues: readonly string[] }): string[] {
  const forbidden = input.forbiddenValues.filter((value) => value !== '');
  const advice = `secrets go through \`nexus secret set ${input.appName} NAME\` and the manifest refers to them as \`{ secret: NAME }\`; the app reads them from its environment`;
  const problems: string[] = [];

  answer.files.forEach((file, index) => {
    const where = repoPathOf(input.appFolder, file.path);
    for (const hit of scanText(file.path, forbidden)) problems.push(`The path of answer.files[${index}] contains ${hit.kind}; ${advice}.`);
    for (const hit of scanText(file.content, forbidden)) {
      problems.push(`Line ${lineOf(file.content, hit.index)} of ${where} looks like ${hit.kind}; remove it from the file — ${advice}.`);
    }
  });

  answer.app.env.forEach((entry, index) => {
    const nameHits = scanText(entry.name, forbidden);
    const label = nameHits.length > 0 ? `answer.app.env[${index}]` : `answer.app.env[${index}] (${entry.name})`;
    if (nameHits.length > 0) problems.push(`The name of ${label} contains ${nameHits[0]!.kind}; ${advice}.`);
    const why = envValueProblem(entry.name, entry.value, forbidden);
    if (why !== undefined) problems.push(`${label} ${why}; leave it out of answer.app.env — ${advice}.`);
  });

  const fields: [string, string][] = [['answer.summary', answer.summary], ['answer.app.healthPath', answer.app.healthPath], ...answer.app.domains.map((domain, index): [string, string] => [`answer.app.domains[${index}]`, domain])];
  for (const [label, text] of fields) {
    for (const hit of scanText(text, forbidden)) problems.push(`${label} contains ${hit.kind}; ${advice}.`);
  }
  return problems;
}

/** Why an env value may not be committed in the manifest, or undefined. */
function envValueProblem(name: string, value: string, forbidden: readonly string[]): string | undefined {
  const [hit] = scanText(value, forbidden);
  if (hit !== undefined) return `has a value that looks like ${hit.kind}`;
  if (URL_WITH_PASSWORD.test(value)) return 'has a value that is a URL with a password in it';
  if (SECRET_NAME.test(name) && value.trim() !== '') return 'has a value, and its name says it is a secret';
  if (looksRandom(value)) return 'has a value that looks like a random key or token (a long mix of letters and digits)';
  return undefined;
}

/** The first hit of each kind, in the order they appear in the text. */
export function scanText(text: string, forbidden: readonly string[]): Hit[] {
  const hits: Hit[] = [];
  const firstForbidden = Math.min(...forbidden.map((value) => text.indexOf(value)).filter((index) => index >= 0));
  if (Number.isFinite(firstForbidden)) hits.push({ kind: FORBIDDEN_KIND, index: firstForbidden });
  for (const { kind, pattern } of KEY_FORMATS) {
    const match = pattern.exec(text);
    if (match) hits.push({ kind, index: match.index });
  }
  return hits.sort((a, b) => a.index - b.index);
}

/**
 * A value holding a key-like run: 20+ letters and digits (or a whole
 * base64 value) mixing both, with at least 3.5 bits of entropy per
 * character. Judged per run rather than on the whole value so that URLs,
 * hostnames and flags (`redis://cache:6379/0`, `--max-old-space-size=512`)
 * pass, while a token inside a URL path does not.
 */
export function looksRandom(value: string): boolean {
  const runs: string[] = value.match(/[A-Za-z0-9]{20,}/g) ?? [];
  if (/^[A-Za-z0-9+/]{20,}={0,2}$/.test(value)) runs.push(value);
  return runs.some((run) => /[A-Za-z]/.test(run) && /[0-9]/.test(run) && shannonEntropy(run) >= 3.5);
}

/** Bits per character of the text's own character distribution. */
export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  const length = [...counts.values()].reduce((sum, count) => sum + count, 0);
  let bits = 0;
  for (const count of counts.values()) bits -= (count / length) * Math.log2(count / length);
  return bits;
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < index; at = text.indexOf('\n', at + 1)) line++;
  return line;
}
