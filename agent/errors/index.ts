/**
 * The base of every error Nexus raises on purpose. Each subclass has a
 * stable literal `code` (for logs, the API and tests), structured `data`,
 * and a message that tells the user what to do next.
 */
export class NexusError<Code extends string = string, Data = unknown> extends Error {
  readonly code: Code;
  readonly data: Data;

  constructor(code: Code, message: string, data: Data, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.data = data;
  }
}

/** Message of anything thrown, for logs and status. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
