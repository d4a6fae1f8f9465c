/**
 * Reads Docker's build progress stream (one JSON object per line) as it
 * comes, keeping nothing but what the caller keeps. dockerode's
 * followProgress collects every event in an array until the build ends, so
 * a build printing without end (`yes` in a RUN step) would fill the
 * agent's memory; here memory stays bounded by the longest line.
 */

export interface BuildEvent {
  stream?: unknown;
  status?: unknown;
  error?: unknown;
}

/** The longest line kept while waiting for its end (a line longer than this is cut). */
const MAX_LINE_CHARS = 1_000_000;

/** Calls `onEvent` per event; resolves with the last error Docker reported, if any. */
export function readBuildStream(stream: NodeJS.ReadableStream, onEvent: (event: BuildEvent) => void): Promise<{ error?: string }> {
  return new Promise((resolve, reject) => {
    let pending = '';
    let error: string | undefined;
    const handle = (line: string) => {
      if (line.trim() === '') return;
      let event: BuildEvent;
      try {
        event = JSON.parse(line) as BuildEvent;
      } catch {
        event = { stream: `${line}\n` };
      }
      if (typeof event.error === 'string') error = event.error;
      onEvent(event);
    };
    stream.on('data', (chunk: Buffer | string) => {
      pending += chunk.toString();
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        handle(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
      if (pending.length > MAX_LINE_CHARS) pending = pending.slice(-MAX_LINE_CHARS);
    });
    stream.once('end', () => {
      handle(pending);
      resolve({ error });
    });
    stream.once('error', reject);
    stream.once('close', () => resolve({ error }));
  });
}
