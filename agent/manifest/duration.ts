/** Milliseconds per unit; a bare number means seconds (the common case in YAML). */
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;

/**
 * Parses a duration as users write it in YAML: "500ms", "30s", "2m", "1h",
 * or a number of seconds (`30` or "30"). Returns milliseconds, rounded to a
 * whole millisecond, or undefined if the text is not a duration (including
 * negative numbers). Zero is a valid duration; callers that need more check.
 */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') {
    return Number.isFinite(text) && text >= 0 ? Math.round(text * 1000) : undefined;
  }
  const match = DURATION.exec(text.trim());
  if (match === null) return undefined;
  const unit = (match[2] ?? 's') as keyof typeof UNIT_MS;
  const ms = Math.round(Number(match[1]) * UNIT_MS[unit]);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** Shows milliseconds the short way users write them: 30000 → "30s". */
export function formatDuration(ms: number): string {
  if (ms !== 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms !== 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
