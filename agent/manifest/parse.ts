import type { AnySchemaObject } from 'ajv';
import manifestSchema from '../../schema/nexus.schema.json' with { type: 'json' };
import { createYamlChecker, type ProblemAt } from './checker.ts';
import { toManifest, type RawManifest } from './defaults.ts';
import type { Manifest } from './model.ts';
import { sortProblems, type ManifestProblem } from './problem.ts';

/** A manifest, or everything wrong with it (never both, never a throw). */
export type ManifestResult =
  | { ok: true; manifest: Manifest; /** Locates later problems (e.g. found in the tree) at their place in the file. */ problemAt: ProblemAt }
  | { ok: false; problems: ManifestProblem[] };

// Module level so the schema compiles once per process (lazily, on first use).
const checkManifest = createYamlChecker<RawManifest>(manifestSchema as AnySchemaObject);

/**
 * Parses and validates the text of a nexus.yaml. `file` is only used to
 * label problems (e.g. "nexus.yaml" or "apps/nexus.yaml"). Syntax errors,
 * schema violations and cross-app rules all come back as problems with a
 * line and column, sorted by position.
 */
export function parseManifest(text: string, file: string): ManifestResult {
  const checked = checkManifest(text, file);
  if (!checked.ok) return checked;
  const { manifest, problems } = toManifest(checked.value, checked.problemAt);
  if (problems.length > 0) return { ok: false, problems: sortProblems(problems) };
  return { ok: true, manifest, problemAt: checked.problemAt };
}
