import { NexusError } from '../errors/index.ts';
import { formatProblems, type ManifestProblem } from '../manifest/index.ts';

/** The agent config has problems; the message lists them one per line as `file:line:column: path: message`. */
export class InvalidAgentConfigError extends NexusError<'INVALID_AGENT_CONFIG', { file: string; problems: ManifestProblem[] }> {
  constructor(file: string, problems: ManifestProblem[]) {
    super('INVALID_AGENT_CONFIG', formatProblems(problems), { file, problems });
  }
}

/** There is no file where the agent config was expected. */
export class AgentConfigNotFoundError extends NexusError<'AGENT_CONFIG_NOT_FOUND', { file: string }> {
  constructor(file: string, options?: { cause?: unknown }) {
    super('AGENT_CONFIG_NOT_FOUND', `agent config ${file} does not exist — create it, or give the path of the existing one`, { file }, options);
  }
}

/** The agent config exists but cannot be read (permissions, a folder, …). */
export class AgentConfigUnreadableError extends NexusError<'AGENT_CONFIG_UNREADABLE', { file: string }> {
  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    super('AGENT_CONFIG_UNREADABLE', `agent config ${file} cannot be read: ${reason} — check that it is a file the agent's user may read`, { file }, options);
  }
}
