import { posix } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Document, isMap, isNode, isScalar, parseDocument, type Node, type YAMLMap } from 'yaml';
import { formatProblem, parseManifest } from '../../manifest/index.ts';
import type { Answer } from './shape.ts';

export interface MergeInput {
  manifestText: string | undefined;
  manifestPath: string;
  appName: string;
  appFolder: string;
  app: Answer['app'];
}

export type MergeResult = { ok: true; text: string } | { ok: false; problems: string[] };

/** A secret env value the model can neither see nor write: kept across regenerations. */
type SecretValue = { secret?: string; encrypted?: string };

/** What a manifest with no apps yet starts from. */
const EMPTY_MANIFEST = 'version: 1\napps: {}\n';

const RENDER = { lineWidth: 0, minContentWidth: 0 } as const;

/**
 * Sets `apps.<appName>` of the manifest to the entry made from the answer
 * and checks the result with parseManifest. The new entry's text replaces
 * the old entry's (or follows the last app), so comments and every other
 * app stay byte for byte as they were; only a manifest whose `apps` is a
 * flow map (`apps: { … }`) is rewritten through the Document API, which
 * keeps comments and values but may respace it. Either way the other apps
 * and top-level keys are compared before and after.
 */
export function mergeManifest(input: MergeInput): MergeResult {
  const { appName, manifestPath } = input;
  const original = input.manifestText ?? EMPTY_MANIFEST;
  const doc = parseDocument(original);
  if (doc.errors.length > 0) return unreadable(original, manifestPath, doc.errors.map((error) => error.message));
  const before = toPlain(doc);
  if (before === undefined) return unreadable(original, manifestPath, ['it uses YAML aliases too heavily to be read']);
  // null: a file of comments only, which gets `version` and `apps` added.
  if (before !== null && !isRecord(before)) return { ok: false, problems: [`${manifestPath} is not a map of \`version\` and \`apps\`; fix it before adding app "${appName}".`] };
  const appsBefore = before?.apps;
  if (appsBefore !== undefined && appsBefore !== null && !isRecord(appsBefore)) {
    return { ok: false, problems: [`\`apps\` in ${manifestPath} is not a map of apps by name; fix it before adding app "${appName}".`] };
  }

  const kept = keptSecrets(isRecord(appsBefore) ? appsBefore[appName] : undefined);
  const problems = envConflicts(input.app.env, kept, appName);
  if (problems.length > 0) return { ok: false, problems };
  const entry = buildEntry(input, kept);

  let text: string | undefined;
  for (const merge of [() => spliceEntry(original, doc, appName, entry), () => rewriteWithDocument(original, appName, entry)]) {
    const candidate = attempt(merge);
    if (candidate !== undefined && keepsTheRest(before, candidate, appName, entry)) {
      text = candidate;
      break;
    }
  }
  if (text === undefined) return { ok: false, problems: [`Merging answer.app into ${manifestPath} as apps.${appName} would also change other parts of it (another app may use a YAML anchor of the old entry); the manifest was left alone — edit it by hand, or report it if nothing like that is there.`] };

  const checked = parseManifest(text, manifestPath);
  if (!checked.ok) {
    return {
      ok: false,
      problems: checked.problems.map((problem) => `${manifestPath} with answer.app merged in as apps.${appName} is not valid: ${problem.path === '' ? '' : `${problem.path}: `}${sentence(problem.message)}`),
    };
  }
  return { ok: true, text };
}

/**
 * The other apps of the current manifest and their build contexts, for
 * the path checks. Read leniently (a broken manifest still names its apps);
 * an unreadable one names none, and the merge then refuses the answer.
 */
export function readOtherApps(manifestText: string | undefined, manifestPath: string, appName: string): { name: string; context: string }[] {
  if (manifestText === undefined) return [];
  const checked = parseManifest(manifestText, manifestPath);
  if (checked.ok) return checked.manifest.apps.filter((app) => app.name !== appName).map((app) => ({ name: app.name, context: app.build.context }));
  const doc = parseDocument(manifestText);
  const plain = doc.errors.length > 0 ? undefined : toPlain(doc);
  const apps = isRecord(plain) && isRecord(plain.apps) ? plain.apps : {};
  return Object.entries(apps)
    .filter(([name]) => name !== appName)
    .map(([name, app]) => {
      const build = isRecord(app) ? app.build : undefined;
      const context = isRecord(build) && typeof build.context === 'string' ? build.context : '.';
      return { name, context: normalizeFolder(context) };
    });
}

/** The app's entry, keys in the order people write them. `env` is a Map so any name is only a key. */
function buildEntry(input: MergeInput, kept: ReadonlyMap<string, SecretValue>): Record<string, unknown> {
  const { app, appFolder } = input;
  const env = new Map<string, string | SecretValue>(app.env.map((entry) => [entry.name, entry.value]));
  for (const [name, value] of kept) env.set(name, value);
  return {
    build: { context: appFolder, ...(app.framework === null ? {} : { framework: app.framework }) },
    port: app.port,
    ...(app.domains.length === 0 ? {} : { domains: app.domains }),
    health: { path: app.healthPath },
    ...(env.size === 0 ? {} : { env }),
    ...(app.database === null ? {} : { database: app.database }),
  };
}

/** The `{ secret }` / `{ encrypted }` env values of the app's current entry. */
function keptSecrets(entry: unknown): Map<string, SecretValue> {
  const kept = new Map<string, SecretValue>();
  const env = isRecord(entry) ? entry.env : undefined;
  if (!isRecord(env)) return kept;
  for (const [name, value] of Object.entries(env)) {
    if (!isRecord(value)) continue;
    const secret: SecretValue = {};
    if (typeof value.secret === 'string') secret.secret = value.secret;
    if (typeof value.encrypted === 'string') secret.encrypted = value.encrypted;
    if (Object.keys(secret).length > 0) kept.set(name, secret);
  }
  return kept;
}

function envConflicts(env: Answer['app']['env'], kept: ReadonlyMap<string, SecretValue>, appName: string): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  env.forEach((entry, index) => {
    const first = seen.get(entry.name);
    if (first !== undefined) problems.push(`answer.app.env[${index}] sets ${entry.name} again (also answer.app.env[${first}]); give each variable once.`);
    else seen.set(entry.name, index);
    // Objects built from the manifest would take it as their prototype and drop the variable.
    if (entry.name === '__proto__') problems.push(`answer.app.env[${index}] is named __proto__, which Nexus cannot pass on as a variable; choose another name.`);
    if (kept.has(entry.name)) {
      problems.push(`answer.app.env[${index}] sets ${entry.name}, which app "${appName}" already takes from a secret in the manifest; leave it out of answer.app.env (the secret is kept).`);
    }
  });
  return problems;
}

/**
 * Text surgery on a block-style `apps:` map: the entry's lines replace the
 * old entry's, or follow the last app, at the indentation the file uses.
 * Undefined when the layout is not the plain one this understands.
 */
function spliceEntry(text: string, doc: Document, appName: string, entry: Record<string, unknown>): string | undefined {
  const apps = doc.get('apps', true);
  if (!isMap(apps) || apps.flow || apps.items.length === 0) return undefined;
  const keys = apps.items.map((pair) => pair.key);
  if (!keys.every((key): key is Node => isNode(key) && key.range !== undefined && key.range !== null)) return undefined;
  const indent = columnOf(text, keys[0]!.range![0]);
  if (indent === undefined || !keys.every((key) => columnOf(text, key.range![0]) === indent)) return undefined;

  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const rendered = new Document(new Map([[appName, entry]])).toString({ ...RENDER, indent: indentStep(apps, text, indent) })
    .replace(/\n$/, '').split('\n').map((line) => (line === '' ? line : `${' '.repeat(indent)}${line}`)).join(eol) + eol;

  const index = apps.items.findIndex((pair) => isScalar(pair.key) && pair.key.value === appName);
  const endOf = (at: number) => lineEnd(text, ((apps.items[at]!.value as Node | null) ?? keys[at]!).range![2]);
  if (index >= 0) {
    const start = keys[index]!.range![0] - indent;
    return text.slice(0, start) + rendered + text.slice(endOf(index));
  }
  const end = endOf(apps.items.length - 1);
  const separator = end > 0 && text[end - 1] !== '\n' ? eol : '';
  return text.slice(0, end) + separator + rendered + text.slice(end);
}

/** The Document API's way, for layouts the splice does not handle (flow or empty `apps`). */
function rewriteWithDocument(text: string, appName: string, entry: Record<string, unknown>): string | undefined {
  const doc = parseDocument(text);
  if (doc.contents === null) doc.contents = doc.createNode({ version: 1 }) as unknown as typeof doc.contents;
  if (!isMap(doc.contents)) return undefined;
  const apps = doc.get('apps', true);
  if (isMap(apps) && apps.items.length > 0) doc.setIn(['apps', appName], doc.createNode(entry));
  else if (apps === undefined || isMap(apps) || (isScalar(apps) && apps.value === null)) doc.set('apps', doc.createNode(new Map([[appName, entry]])));
  else return undefined;
  return doc.toString(RENDER);
}

/** True when the merged text holds the entry and, apart from it, what the original held. */
function keepsTheRest(before: unknown, text: string, appName: string, entry: Record<string, unknown>): boolean {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return false;
  const after = toPlain(doc);
  if (!isRecord(after) || !isRecord(after.apps)) return false;
  const { apps: appsAfter, ...restAfter } = after;
  const { apps: appsBefore, ...restBefore } = isRecord(before) ? before : {};
  const { [appName]: mine, ...othersAfter } = appsAfter;
  const { [appName]: _old, ...othersBefore } = isRecord(appsBefore) ? appsBefore : {};
  const expected = { ...entry, ...(entry.env instanceof Map ? { env: Object.fromEntries(entry.env) } : {}) };
  // A file of comments only had no `version`; the merge adds one.
  const versionBefore = before === null ? { version: restAfter.version } : {};
  return isDeepStrictEqual(restAfter, { ...restBefore, ...versionBefore })
    && isDeepStrictEqual(othersAfter, othersBefore)
    && isDeepStrictEqual(mine, expected);
}

/** A way of merging that throws (yaml refuses to print an alias whose anchor went with the old entry) is one that does not apply. */
function attempt(merge: () => string | undefined): string | undefined {
  try {
    return merge();
  } catch {
    return undefined;
  }
}

/** A message as a sentence: the manifest's messages end without a full stop. */
function sentence(message: string): string {
  return /[.!?]$/.test(message) ? message : `${message}.`;
}

function unreadable(text: string, manifestPath: string, fallback: string[]): MergeResult {
  const checked = parseManifest(text, manifestPath);
  const details = checked.ok ? fallback : checked.problems.map(formatProblem);
  return { ok: false, problems: details.map((detail) => `The repository's ${manifestPath} cannot be read, so no app can be added to it: ${sentence(detail)}`) };
}

/** The document as plain values; undefined when toJS refuses it (alias bombs). */
function toPlain(doc: Document): unknown {
  try {
    return doc.toJS() as unknown;
  } catch {
    return undefined;
  }
}

/** Spaces before `offset` on its line, or undefined when something else is there. */
function columnOf(text: string, offset: number): number | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  return /^ *$/.test(before) ? before.length : undefined;
}

/** `offset` if it starts a line, else the start of the next line (or the end of the text). */
function lineEnd(text: string, offset: number): number {
  if (offset === 0 || text[offset - 1] === '\n') return offset;
  const newline = text.indexOf('\n', offset);
  return newline === -1 ? text.length : newline + 1;
}

/** How far the file indents an app's keys below its name; 2 when no app shows it. */
function indentStep(apps: YAMLMap, text: string, indent: number): number {
  for (const pair of apps.items) {
    const value = pair.value;
    if (!isMap(value) || value.flow || value.items.length === 0) continue;
    const key = value.items[0]!.key;
    const column = isNode(key) && key.range ? columnOf(text, key.range[0]) : undefined;
    if (column !== undefined && column > indent) return column - indent;
  }
  return 2;
}

/** "./apps/web/" → "apps/web", as the manifest normalises build contexts. */
function normalizeFolder(folder: string): string {
  const normal = posix.normalize(folder);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
