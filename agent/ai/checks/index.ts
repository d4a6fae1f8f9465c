/**
 * The checks a model's answer must pass before anything it says reaches
 * git. The answer is untrusted input, as hostile as anyone who can push:
 * its size, shape, paths, contents and secrets are checked, its app entry
 * is merged into the manifest and validated, and the app must build.
 */
import { checkBuildable } from './buildable.ts';
import { checkEnvValues, checkPackageJsons, checkSummary } from './contents.ts';
import { InvalidCheckInputError } from './errors.ts';
import { mergeManifest, readOtherApps } from './manifest-merge.ts';
import { checkPaths, repoPathOf } from './paths.ts';
import { checkSecrets } from './secrets.ts';
import { checkShape } from './shape.ts';
import { checkCounts, checkSizes, DEFAULT_ANSWER_LIMITS, type AnswerLimits } from './sizes.ts';

export { DEFAULT_ANSWER_LIMITS, type AnswerLimits } from './sizes.ts';
export type { Answer, AnswerFile } from './shape.ts';
export { InvalidCheckInputError } from './errors.ts';

export interface CheckInput {
  /** Parsed JSON from the model. */
  answer: unknown;
  /** ^[a-z][a-z0-9-]{0,39}$ */
  appName: string;
  /** Repo-relative folder of the app, e.g. "apps/todo" (no leading or trailing slash); "." for the root. */
  appFolder: string;
  /** e.g. "nexus.yaml". */
  manifestPath: string;
  /** The repository's manifest at the branch head; undefined when there is none yet. */
  manifestText: string | undefined;
  /** Every file of the repository at the head (git modes: 0o120000 symlink, 0o160000 submodule). */
  repoFiles: { path: string; mode: number }[];
  /** Content of an existing file of the repository (for the app's current files). */
  readRepoFile(path: string): Promise<string>;
  limits?: AnswerLimits;
  /** Values that must never appear anywhere in the answer (e.g. the provider API key). */
  forbiddenValues?: string[];
}

export type CheckResult =
  | {
    ok: true;
    /** Repo-relative path → content: the answer's files and the merged manifest at manifestPath. */
    files: Record<string, string>;
    manifestText: string;
    /** explainDetection's line, or "Dockerfile <path>". */
    build: string;
    summary: string;
  }
  | {
    ok: false;
    /** Complete sentences, each naming the file or JSON path and what is wrong; never a secret's value. */
    problems: string[];
  };

const APP_NAME = /^[a-z][a-z0-9-]{0,39}$/;

/**
 * Checks a model's answer against the repository at the branch head and,
 * when it passes, returns exactly what to commit. Cheap checks come first
 * and stop early, so a 10,000-file or 50 MB answer is refused before any
 * work per file; otherwise problems are collected so one repair round can
 * fix them all. Reads the repository only through `readRepoFile`; throws
 * only for a caller's fault (InvalidCheckInputError) or a failed read.
 */
export async function checkAnswer(input: CheckInput): Promise<CheckResult> {
  assertInput(input);
  const { appName, appFolder, manifestPath } = input;
  const limits = input.limits ?? DEFAULT_ANSWER_LIMITS;

  // 1. Counts, before even the schema walks the files.
  const counts = checkCounts(input.answer, limits);
  if (counts.length > 0) return refuse(counts);

  // 2. Shape: answer.schema.json.
  const shape = checkShape(input.answer);
  if (!shape.ok) return refuse(shape.problems);
  const { answer } = shape;

  // 3. Where each file goes, and how big the files are; content checks
  //    need the sizes to be bounded first.
  const otherApps = readOtherApps(input.manifestText, manifestPath, appName);
  const paths = checkPaths(answer.files, { appFolder, manifestPath, repoFiles: input.repoFiles, otherApps });
  const sizes = checkSizes(answer, limits);
  if (sizes.length > 0) return refuse([...paths, ...sizes]);

  // 4. Contents and secrets; 5. the manifest with the app's entry merged in.
  const merged = mergeManifest({ manifestText: input.manifestText, manifestPath, appName, appFolder, app: answer.app });
  const problems = [
    ...paths,
    ...checkPackageJsons(answer, appFolder),
    ...checkSummary(answer.summary),
    ...checkEnvValues(answer),
    ...checkSecrets(answer, { appName, appFolder, forbiddenValues: input.forbiddenValues ?? [] }),
    ...(merged.ok ? [] : merged.problems),
  ];
  if (problems.length > 0 || !merged.ok) return refuse(problems);

  // 6. The app folder as it will be committed builds.
  const built = await checkBuildable({
    files: answer.files, appFolder, manifestPath, framework: answer.app.framework,
    repoFiles: input.repoFiles, readRepoFile: input.readRepoFile,
  });
  if (!built.ok) return refuse(built.problems);

  // fromEntries defines own properties, so no path (not even "__proto__") can touch a prototype.
  const files: Record<string, string> = Object.fromEntries([
    ...answer.files.map((file) => [repoPathOf(appFolder, file.path), file.content] as const),
    [manifestPath, merged.text] as const,
  ]);
  return { ok: true, files, manifestText: merged.text, build: built.build, summary: answer.summary.trim() };
}

function refuse(problems: string[]): CheckResult {
  return { ok: false, problems };
}

/** The caller's values are Nexus's own; checked anyway, because every path rule rests on them. */
function assertInput(input: CheckInput): void {
  if (!APP_NAME.test(input.appName)) throw new InvalidCheckInputError('appName', `${JSON.stringify(input.appName)} is not an app name (^[a-z][a-z0-9-]{0,39}$)`);
  if (input.appFolder !== '.' && !isPlainRelative(input.appFolder)) {
    throw new InvalidCheckInputError('appFolder', `${JSON.stringify(input.appFolder)} is not "." or a plain relative folder such as "apps/todo"`);
  }
  if (!isPlainRelative(input.manifestPath)) throw new InvalidCheckInputError('manifestPath', `${JSON.stringify(input.manifestPath)} is not a plain relative path such as "nexus.yaml"`);
}

function isPlainRelative(path: string): boolean {
  if (path === '' || path.length > 1_024 || /[\u0000-\u001f\u007f\\]/.test(path)) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}
