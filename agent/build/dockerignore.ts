/**
 * .dockerignore matching with Docker's rules, in time linear in the size of
 * the input. Written here rather than taken from @balena/dockerignore
 * because that library compiles patterns to backtracking regexes: a pushed
 * `**\/**\/**\/…\/x` line took seconds per path and grows ~5× with each `**`,
 * which would let one tenant freeze the agent.
 *
 * Rules (moby/patternmatcher): lines are trimmed; empty lines and `#`
 * comments are skipped; `!` re-includes; the pattern is path-cleaned and a
 * leading `/` dropped; `*` matches within a path segment, `?` one character,
 * `[...]` a class (`[^...]` negated), `\` escapes, `**` any number of whole
 * segments; a path is matched when it or one of its parent folders matches;
 * the last matching line wins. (`**` inside a segment acts as `*`.)
 */
import { posix } from 'node:path';

/** Bounds on what a pushed .dockerignore may ask of the agent. */
export const DOCKERIGNORE_LIMITS = { lines: 500, lineLength: 512 } as const;

export class DockerignoreTooLargeError extends Error {
  constructor(readonly line: number, reason: string) {
    super(`.dockerignore line ${line}: ${reason} — keep it under ${DOCKERIGNORE_LIMITS.lines} patterns of at most ${DOCKERIGNORE_LIMITS.lineLength} characters`);
  }
}

type Token = { kind: 'star' } | { kind: 'any' } | { kind: 'literal'; char: string } | { kind: 'class'; negate: boolean; ranges: [string, string][] };
type Segment = { kind: 'globstar' } | { kind: 'glob'; tokens: Token[] };
interface Rule { exclude: boolean; segments: Segment[] }

/** A compiled .dockerignore: `ignores(path)` says whether Docker would leave the path out of the context. */
export interface Dockerignore {
  ignores(path: string): boolean;
}

/**
 * Compiles patterns (built-in ones, then the lines of a .dockerignore).
 * Throws DockerignoreTooLargeError past the limits, numbering lines from
 * the first of the file (`builtIn` lines come before it).
 */
export function compileDockerignore(lines: readonly string[], builtIn = 0): Dockerignore {
  const rules: Rule[] = [];
  let count = 0;
  lines.forEach((raw, index) => {
    if (raw.length > DOCKERIGNORE_LIMITS.lineLength) throw new DockerignoreTooLargeError(index + 1 - builtIn, `${raw.length} characters`);
    let pattern = raw.trim();
    if (pattern === '' || pattern.startsWith('#')) return;
    if (++count > DOCKERIGNORE_LIMITS.lines + builtIn) throw new DockerignoreTooLargeError(index + 1 - builtIn, `more than ${DOCKERIGNORE_LIMITS.lines} patterns`);
    const exclude = pattern.startsWith('!');
    if (exclude) pattern = pattern.slice(1).trim();
    pattern = posix.normalize(pattern).replace(/\/+$/, '');
    if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    if (pattern === '.' || pattern === '') return;
    const segments: Segment[] = [];
    for (const part of pattern.split('/')) {
      const segment: Segment = part === '**' ? { kind: 'globstar' } : { kind: 'glob', tokens: tokenize(part) };
      // Consecutive `**` mean the same as one.
      if (segment.kind === 'globstar' && segments.at(-1)?.kind === 'globstar') continue;
      segments.push(segment);
    }
    rules.push({ exclude, segments });
  });
  return {
    ignores(path) {
      const parts = path.split('/').filter((part) => part !== '');
      let ignored = false;
      for (const rule of rules) {
        if (ignored !== rule.exclude) continue; // cannot change the outcome
        if (matchesOrParentMatches(rule.segments, parts)) ignored = !rule.exclude;
      }
      return ignored;
    },
  };
}

/**
 * Whether the pattern matches the path or one of its parent folders: a
 * dynamic programme over (pattern segment, path segment), so the cost is
 * their product, never exponential.
 */
function matchesOrParentMatches(pattern: Segment[], path: string[]): boolean {
  const memo = new Map<number, boolean>();
  const width = path.length + 1;
  const match = (i: number, j: number): boolean => {
    if (i === pattern.length) return j > 0; // the rest of the path lies below a matched folder
    const key = i * width + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const segment = pattern[i]!;
    const result = segment.kind === 'globstar'
      ? match(i + 1, j) || (j < path.length && match(i, j + 1))
      : j < path.length && matchSegment(segment.tokens, path[j]!) && match(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
}

/** Glob match of one segment: the two-pointer algorithm, O(pattern × text) at worst. */
function matchSegment(tokens: Token[], text: string): boolean {
  let t = 0;
  let s = 0;
  let starToken = -1;
  let starText = 0;
  while (s < text.length) {
    const token = tokens[t];
    if (token && token.kind !== 'star' && matchChar(token, text[s]!)) {
      t += 1;
      s += 1;
    } else if (token?.kind === 'star') {
      starToken = t;
      starText = s;
      t += 1;
    } else if (starToken >= 0) {
      t = starToken + 1;
      starText += 1;
      s = starText;
    } else {
      return false;
    }
  }
  while (tokens[t]?.kind === 'star') t += 1;
  return t === tokens.length;
}

function matchChar(token: Exclude<Token, { kind: 'star' }>, char: string): boolean {
  switch (token.kind) {
    case 'any':
      return true;
    case 'literal':
      return token.char === char;
    case 'class': {
      const inside = token.ranges.some(([low, high]) => char >= low && char <= high);
      return inside !== token.negate;
    }
  }
}

function tokenize(part: string): Token[] {
  const tokens: Token[] = [];
  for (let index = 0; index < part.length; index += 1) {
    const char = part[index]!;
    if (char === '*') {
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (char === '?') {
      tokens.push({ kind: 'any' });
    } else if (char === '\\' && index + 1 < part.length) {
      index += 1;
      tokens.push({ kind: 'literal', char: part[index]! });
    } else if (char === '[') {
      const parsed = parseClass(part, index);
      if (parsed) {
        tokens.push(parsed.token);
        index = parsed.end;
      } else {
        tokens.push({ kind: 'literal', char }); // an unterminated class is taken literally
      }
    } else {
      tokens.push({ kind: 'literal', char });
    }
  }
  return tokens;
}

function parseClass(part: string, start: number): { token: Token; end: number } | undefined {
  let index = start + 1;
  const negate = part[index] === '^';
  if (negate) index += 1;
  const ranges: [string, string][] = [];
  while (index < part.length && (part[index] !== ']' || ranges.length === 0)) {
    let low = part[index]!;
    if (low === '\\' && index + 1 < part.length) low = part[++index]!;
    let high = low;
    if (part[index + 1] === '-' && index + 2 < part.length && part[index + 2] !== ']') {
      high = part[index + 2]!;
      if (high === '\\' && index + 3 < part.length) high = part[++index + 2]!;
      index += 2;
    }
    ranges.push([low, high]);
    index += 1;
  }
  if (part[index] !== ']') return undefined;
  return { token: { kind: 'class', negate, ranges }, end: index };
}
