import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describeError } from '../errors/index.ts';
import { AgentConfigNotFoundError, AgentConfigUnreadableError, InvalidAgentConfigError } from './errors.ts';
import type { AgentConfig } from './model.ts';
import { parseAgentConfig } from './parse.ts';

/**
 * Reads and parses the agent config at `file`. Throws
 * AgentConfigNotFoundError when there is no such file,
 * AgentConfigUnreadableError when it cannot be read, and
 * InvalidAgentConfigError (code INVALID_AGENT_CONFIG) listing every problem.
 */
export async function loadAgentConfig(file: string): Promise<AgentConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AgentConfigNotFoundError(resolve(file), { cause: error });
    throw new AgentConfigUnreadableError(resolve(file), describeError(error), { cause: error });
  }
  const result = parseAgentConfig(text, file);
  if (!result.ok) throw new InvalidAgentConfigError(file, result.problems);
  return result.config;
}
