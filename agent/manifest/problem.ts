/**
 * A problem found in a YAML file the user wrote (nexus.yaml or the agent
 * config), pinned to the line and column where the user should look.
 * The manifest and the agent config share it so the CLI, the status API and
 * editors show both the same way.
 */
export interface ManifestProblem {
  /** The file as the caller named it, e.g. "nexus.yaml". */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Where in the document, e.g. "apps.web.port" or "repos[0].url"; "" for the whole document. */
  path: string;
  /** Says what is wrong and what to do about it. */
  message: string;
}

/** One step of a path into a YAML document: a map key or a list index. */
export type PathSegment = string | number;

/**
 * Formats a problem the way compilers do, so terminals and editors can jump
 * to it: `nexus.yaml:4:11: apps.web.port: must be at most 65535 — …`.
 */
export function formatProblem(p: ManifestProblem): string {
  const where = `${p.file}:${p.line}:${p.column}`;
  return p.path === '' ? `${where}: ${p.message}` : `${where}: ${p.path}: ${p.message}`;
}

/** Formats several problems, one per line, in the order of the file. */
export function formatProblems(problems: readonly ManifestProblem[]): string {
  return sortProblems(problems).map(formatProblem).join('\n');
}

/**
 * Renders a path the way users write it: dots between keys, brackets for
 * list indices, and quotes only around keys that would otherwise be
 * ambiguous (dots, spaces).
 */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Sorts by position, and drops exact repeats (ajv can report one fault twice). */
export function sortProblems(problems: readonly ManifestProblem[]): ManifestProblem[] {
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = formatProblem(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort((a, b) => a.line - b.line || a.column - b.column);
}
