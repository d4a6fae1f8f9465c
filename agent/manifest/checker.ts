import { Ajv, type AnySchemaObject, type ValidateFunction } from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import { translateAjvErrors } from './ajv-messages.ts';
import { createLocator, type Locate, type Target } from './locate.ts';
import { formatPath, sortProblems, type ManifestProblem, type PathSegment } from './problem.ts';
import { yamlErrorProblems } from './yaml-errors.ts';

/** Makes a located problem for a check done after the schema (cross-field rules). */
export type ProblemAt = (path: readonly PathSegment[], message: string, target?: Target) => ManifestProblem;

/**
 * The result of reading a YAML file against a schema: either the plain value,
 * which the schema has vouched for (hence `T`), with a way to report further
 * problems at a path; or the problems found so far.
 */
export type YamlCheck<T> =
  | { ok: true; value: T; problemAt: ProblemAt }
  | { ok: false; problems: ManifestProblem[] };

/**
 * Builds a checker for one JSON schema: parse YAML → syntax problems, else
 * validate with ajv → located, human problems. The schema is compiled on the
 * first call and kept, because compiling costs far more than validating and
 * the agent checks a manifest on every poll. Never throws on bad input.
 */
export function createYamlChecker<T>(schema: AnySchemaObject): (text: string, file: string) => YamlCheck<T> {
  let validate: ValidateFunction | undefined;

  return function checkYaml(text, file) {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, prettyErrors: true });
    if (doc.errors.length > 0) {
      return { ok: false, problems: sortProblems(yamlErrorProblems(doc, text, lineCounter, file)) };
    }
    const locate = createLocator(doc, lineCounter);
    const problemAt: ProblemAt = (path, message, target) => ({ file, ...locate(path, target), path: formatPath(path), message });

    let value: unknown;
    try {
      value = doc.toJS();
    } catch (error) {
      // toJS refuses alias bombs ("Excessive alias count"); say so instead of throwing.
      return { ok: false, problems: [problemAt([], `cannot be read: ${(error as Error).message} — avoid YAML anchors and aliases here`)] };
    }

    validate ??= compile(schema);
    if (validate(value)) return { ok: true, value: value as T, problemAt };
    const faults = translateAjvErrors(validate.errors ?? [], value, schema);
    return { ok: false, problems: sortProblems(faults.map((f) => problemAt(f.path, f.message, f.target))) };
  };
}

/** One ajv instance per schema: schemas here are self-contained and compiled once. */
function compile(schema: AnySchemaObject): ValidateFunction {
  const ajv = new Ajv({
    allErrors: true, // users fix a file in one go, not one error per run
    verbose: true, // puts schema and data on errors, which the messages need
    strict: true,
    allowUnionTypes: true, // durations are "30s" or 30
  });
  // Editors (VS Code, yaml-language-server) show `errorMessage` in place of
  // their own text; ajv only needs to know it is not a typo.
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
  return ajv.compile(schema);
}
