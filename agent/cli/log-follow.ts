/**
 * Following a build log that the agent stores as a capped tail and rewrites
 * about once a second: each poll returns the whole stored text, which is
 * usually the last one plus more, but once the cap is reached it is the
 * last one with its start cut off, plus more. Printing only the new part
 * needs no help from the agent: it is found by comparing texts.
 */

/**
 * The part of `next` (the stored log now) that was not in `shown` (the
 * stored log printed last time). Two ways `next` can continue `shown`:
 *
 * - an extension, or a rewrite that keeps a common start: print after the
 *   longest common prefix;
 * - a tail that lost its start to the cap: print after the longest end of
 *   `shown` that `next` starts with.
 *
 * Whichever accounts for more of `next` wins, so little is ever printed
 * twice. A log of identical repeated lines can make the overlap look
 * longer than it was, dropping a repeat; that is the price of not
 * duplicating. Pure, linear in the lengths.
 */
export function unseenText(shown: string, next: string): string {
  const common = commonPrefixLength(shown, next);
  if (common === shown.length || common === next.length) return next.slice(common);
  return next.slice(Math.max(common, overlapLength(shown, next)));
}

/** Length of the longest common prefix of two strings. */
export function commonPrefixLength(a: string, b: string): number {
  const limit = Math.min(a.length, b.length);
  let index = 0;
  while (index < limit && a.charCodeAt(index) === b.charCodeAt(index)) index += 1;
  return index;
}

/**
 * Length of the longest end of `before` that `after` starts with (KMP: the
 * prefix function of `after`, run over `before`), so a 64 000-character
 * log costs one pass, not a pass per candidate length.
 */
export function overlapLength(before: string, after: string): number {
  if (before.length === 0 || after.length === 0) return 0;
  const failure = new Int32Array(after.length);
  for (let index = 1, matched = 0; index < after.length; index += 1) {
    while (matched > 0 && after.charCodeAt(index) !== after.charCodeAt(matched)) matched = failure[matched - 1]!;
    if (after.charCodeAt(index) === after.charCodeAt(matched)) matched += 1;
    failure[index] = matched;
  }
  // Only the last `after.length` characters of `before` can overlap.
  let matched = 0;
  for (let index = Math.max(0, before.length - after.length); index < before.length; index += 1) {
    while (matched > 0 && before.charCodeAt(index) !== after.charCodeAt(matched)) matched = failure[matched - 1]!;
    if (before.charCodeAt(index) === after.charCodeAt(matched)) matched += 1;
    if (matched === after.length && index < before.length - 1) matched = failure[matched - 1]!;
  }
  return matched;
}
