import type { AnySchemaObject } from 'ajv';
import configSchema from '../../schema/agent-config.schema.json' with { type: 'json' };
import { createYamlChecker, sortProblems, type ManifestProblem } from '../manifest/index.ts';
import { toAgentConfig, type RawAgentConfig } from './defaults.ts';
import type { AgentConfig } from './model.ts';

/** A config, or everything wrong with it (never both, never a throw). */
export type AgentConfigResult = { ok: true; config: AgentConfig } | { ok: false; problems: ManifestProblem[] };

// Module level so the schema compiles once per process (lazily, on first use).
const checkConfig = createYamlChecker<RawAgentConfig>(configSchema as AnySchemaObject);

/**
 * Parses and validates the text of an agent config. `file` labels the
 * problems and anchors relative paths (dataDir, nginx.dir, docker.socketPath)
 * to its folder; nothing is read from disk.
 */
export function parseAgentConfig(text: string, file: string): AgentConfigResult {
  const checked = checkConfig(text, file);
  if (!checked.ok) return checked;
  const { config, problems } = toAgentConfig(checked.value, file, checked.problemAt);
  if (problems.length > 0) return { ok: false, problems: sortProblems(problems) };
  return { ok: true, config };
}
