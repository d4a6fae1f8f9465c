/** Powers of 1024, as Docker reads `--memory 512m`. */
const UNIT_BYTES = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as const;

const SIZE = /^(\d+(?:\.\d+)?)(?:([kmg])b?|(b))?$/;

/** Docker refuses memory limits below 6 MiB; say so before a deploy fails. */
export const MIN_MEMORY_BYTES = 6 * 1024 ** 2;

/**
 * Parses a memory size the way Docker does: bytes, or a number with a k, m
 * or g suffix (case-insensitive, optional trailing "b"; powers of 1024).
 * "512m" → 536870912. Returns undefined for anything else. Fractions are
 * allowed ("1.5g") and rounded down to a whole byte.
 */
export function parseMemory(text: string): number | undefined {
  const match = SIZE.exec(text.trim().toLowerCase());
  if (match === null) return undefined;
  const unit = (match[2] ?? match[3] ?? 'b') as keyof typeof UNIT_BYTES;
  const bytes = Math.floor(Number(match[1]) * UNIT_BYTES[unit]);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
