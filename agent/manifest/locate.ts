import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { PathSegment } from './problem.ts';

/** A 1-based position in the source text. */
export interface Position {
  line: number;
  column: number;
}

/**
 * What to point at: the value under a path (the default: that is what is
 * wrong), or its key (unknown keys and bad names, where the value is fine).
 */
export type Target = 'key' | 'value';

/** Finds where a path lives in the source, for problems found after parsing. */
export type Locate = (path: readonly PathSegment[], target?: Target) => Position;

/**
 * Builds a locator over a parsed document. It walks the YAML nodes (not the
 * plain JS value) because only nodes remember their source range. When the
 * path goes deeper than the document (a missing key), it points at the
 * deepest node that exists: the parent map, which is where the key belongs.
 */
export function createLocator(doc: Document, lineCounter: LineCounter): Locate {
  return function locate(path, target = 'value') {
    let node = deref(doc, doc.contents);
    let key: Node | undefined;
    for (const segment of path) {
      const step = child(doc, node, segment);
      if (step === undefined) break;
      node = step.value;
      key = step.key;
    }
    const start = pickStart(node, key, target);
    return start === undefined ? { line: 1, column: 1 } : toPosition(lineCounter, start);
  };
}

/** Converts a character offset to a 1-based line and column. */
export function toPosition(lineCounter: LineCounter, offset: number): Position {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

interface Step {
  key: Node | undefined;
  value: Node | null;
}

/** One step down: a map entry by key text, or a list item by index. */
function child(doc: Document, node: Node | null, segment: PathSegment): Step | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = deref(doc, pair.key as Node | null);
      const text = isScalar(key) ? String(key.value) : String(key);
      if (text === String(segment)) {
        return { key: key ?? undefined, value: deref(doc, pair.value as Node | null) };
      }
    }
    return undefined;
  }
  if (isSeq(node)) {
    const item = node.items[Number(segment)];
    return item === undefined ? undefined : { key: undefined, value: deref(doc, item as Node | null) };
  }
  return undefined;
}

/** Follows `*alias` to its anchor so positions land on real content. */
function deref(doc: Document, node: Node | null | undefined): Node | null {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return (node.resolve(doc) as Node | undefined) ?? node;
  return node;
}

/**
 * Picks the offset to report. An empty value (`port:` with nothing after it)
 * has a zero-width range just after the colon, which reads like a typo in
 * the editor; the key is the better place to look then.
 */
function pickStart(node: Node | null, key: Node | undefined, target: Target): number | undefined {
  const keyStart = key?.range?.[0];
  if (target === 'key' && keyStart !== undefined) return keyStart;
  const range = node?.range;
  const empty = range === undefined || range === null || range[0] === range[1];
  if (empty) return keyStart ?? range?.[0] ?? undefined;
  return range[0];
}
