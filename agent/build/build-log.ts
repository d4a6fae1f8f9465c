/** Lines of build output that say nothing about why a step failed. */
const NOISE = [/^\s*---> /, /^Removing intermediate container/, /^Step \d+\/\d+ : /, /^\s*$/, /^npm (notice|warn)/i, /^ERROR: The command/];

/**
 * Turns a failed classic-builder step into what a person needs: which
 * command failed and the last lines of its output, e.g.
 * `npm run build failed (exit code 2): src/main.ts(3,10): error TS2305 …`.
 * Pure; the error text is Docker's, the log is the build's output so far.
 */
export function summariseBuildFailure(error: string, log: string, maxLines = 6): string {
  const step = /The command '(?:\/bin\/sh -c )?(.+)' returned a non-zero code: (\d+)/s.exec(error);
  if (!step) return error.trim();
  const command = step[1]!.trim();
  // Docker colours a step's stderr (ESC[91m…): the summary is plain text.
  const lines = log.replace(/\x1b\[[0-9;]*m/g, '').split(/\r?\n/);
  // The output of the failed step: after its "Step n/m : RUN …" header.
  let header = -1;
  lines.forEach((line, index) => {
    if (/^Step \d+\/\d+ : RUN /.test(line)) header = index;
  });
  const output = lines.slice(header + 1).filter((line) => !NOISE.some((pattern) => pattern.test(line)));
  const tail = output.slice(-maxLines).map((line) => line.trim());
  return `${command} failed (exit code ${step[2]})${tail.length > 0 ? `: ${tail.join(' | ')}` : ''}`;
}
