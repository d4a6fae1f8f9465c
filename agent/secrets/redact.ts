/**
 * Replaces secret values with `[redacted]` in log lines and API answers.
 * Whoever resolves a secret (decrypts, opens, reads it from the store)
 * calls `remember` with it before the value can reach any output.
 */
export const REDACTED = '[redacted]';

/**
 * Values shorter than this are not redacted. Replacing "1", "on" or "dev"
 * everywhere would wreck every log line and answer (numbers, words, ids)
 * while protecting nothing: such a value can be guessed anyway. `remember`
 * returns false for them so the caller can warn that the value is weak.
 */
export const MIN_SECRET_LENGTH = 4;

export interface Redactor {
  /** Adds a value to redact from now on; false when it is too short to be redacted. */
  remember(value: string): boolean;
  /** The text with every remembered value (and its URL- and JSON-escaped forms) replaced. */
  redact(text: string): string;
  /**
   * A copy of a JSON-like value with every string (keys too) redacted.
   * Objects come back as plain objects, the way JSON.stringify sees them
   * (`toJSON` honoured), except that an Error keeps its name and message.
   */
  redactDeep<T>(value: T): T;
}

/** A redactor with nothing remembered yet; one per agent process, passed to the logger and the API. */
export function createRedactor(): Redactor {
  const needles = new Set<string>();
  let pattern: RegExp | undefined;

  function remember(value: string): boolean {
    if (value.length < MIN_SECRET_LENGTH) return false;
    // The same secret shows up escaped inside URLs (DATABASE_URL) and JSON text.
    for (const form of [value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]) {
      if (!needles.has(form)) {
        needles.add(form);
        pattern = undefined;
      }
    }
    return true;
  }

  function redact(text: string): string {
    if (needles.size === 0) return text;
    // Longest first, so a secret that contains another is replaced whole.
    pattern ??= new RegExp([...needles].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
    return text.replace(pattern, REDACTED);
  }

  function redactDeep<T>(value: T): T {
    return walk(value, new WeakSet()) as T;
  }

  function walk(value: unknown, seen: WeakSet<object>): unknown {
    if (typeof value === 'string') return redact(value);
    if (typeof value !== 'object' || value === null) return value;
    if (seen.has(value)) return '[circular]';
    seen.add(value);
    try {
      if (Array.isArray(value)) return value.map((item) => walk(item, seen));
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
        return walk((value as { toJSON: () => unknown }).toJSON(), seen);
      }
      const out: Record<string, unknown> = {};
      if (value instanceof Error) {
        out.name = redact(value.name);
        out.message = redact(value.message);
      }
      for (const [key, item] of Object.entries(value)) out[redact(key)] = walk(item, seen);
      return out;
    } finally {
      seen.delete(value); // shared (not circular) references are fine
    }
  }

  return { remember, redact, redactDeep };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
