import { NexusError } from '../../errors/index.ts';

/**
 * The caller (not the model) gave checkAnswer something impossible: an app
 * name, folder or manifest path the rest of Nexus would never produce. A
 * fault of Nexus, so it is thrown rather than sent back to the model.
 */
export class InvalidCheckInputError extends NexusError<'INVALID_CHECK_INPUT', { field: string }> {
  constructor(field: string, message: string) {
    super('INVALID_CHECK_INPUT', `checkAnswer: ${field} ${message} — this is a fault of the caller, not of the model's answer`, { field });
  }
}
