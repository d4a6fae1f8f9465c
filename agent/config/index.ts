/**
 * The agent config concern: the YAML file an admin writes for one agent,
 * read into a typed AgentConfig with absolute paths and cron schedules.
 */
export type { AgentConfig, AiConfig, BaseImages, BuildConfig, NginxConfig, RepoConfig } from './model.ts';
export { DEFAULT_BASE_IMAGES } from './defaults.ts';
export type { AgentConfigResult } from './parse.ts';
export { parseAgentConfig } from './parse.ts';
export { loadAgentConfig } from './load.ts';
export { AgentConfigNotFoundError, AgentConfigUnreadableError, InvalidAgentConfigError } from './errors.ts';
export { parseMemory } from './memory.ts';
export { ALLOWED_INTERVALS_MS, intervalToCron } from './interval.ts';
