import { NexusError } from '../errors/index.ts';
import { formatProblems, type ManifestProblem } from './problem.ts';

/**
 * A nexus.yaml that cannot be deployed. The message lists every problem as
 * `file:line:column: path: message`, one per line, so it can be printed
 * as is; `data.problems` keeps them structured for the status API.
 */
export class InvalidManifestError extends NexusError<'INVALID_MANIFEST', { problems: ManifestProblem[] }> {
  constructor(problems: ManifestProblem[], options?: { cause?: unknown }) {
    super('INVALID_MANIFEST', formatProblems(problems), { problems }, options);
  }
}
