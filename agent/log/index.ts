/**
 * Structured logs: one JSON object per line (time, level, msg, and fields
 * such as app, repo, revision, action, durationMs). Callers pass fields,
 * never whole objects that might carry a secret.
 */
export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/**
 * `redact` (the agent's secret redactor) runs over every finished line, as
 * the last guard: a secret that slipped into a message or field is
 * replaced before the line is written.
 */
export function createLogger(write: (line: string) => void = (line) => process.stdout.write(line), redact: (text: string) => string = (text) => text): Logger {
  const emit = (level: string) =>
    function log(msg: string, fields: LogFields = {}) {
      write(redact(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`));
    };
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** A logger that drops everything (for unit tests of pure-ish code). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
