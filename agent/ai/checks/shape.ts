import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import answerSchema from '../answer.schema.json' with { type: 'json' };
import type { FrameworkKind } from '../../manifest/index.ts';

/** The model's answer once answer.schema.json has vouched for its shape. */
export interface Answer {
  summary: string;
  files: AnswerFile[];
  app: {
    port: number;
    domains: string[];
    healthPath: string;
    database: 'postgres' | null;
    framework: FrameworkKind | null;
    env: { name: string; value: string }[];
  };
}

export interface AnswerFile {
  path: string;
  content: string;
}

/** Schema problems past this many are summed up in one line: a hostile answer can have thousands. */
const MAX_SCHEMA_PROBLEMS = 20;

// Compiled on first use and kept: compiling costs far more than validating.
let validate: ValidateFunction | undefined;

/**
 * Checks the answer against answer.schema.json. Problems name the JSON path
 * ("answer.files[3].content") and never repeat the values found there,
 * which may be secrets.
 */
export function checkShape(answer: unknown): { ok: true; answer: Answer } | { ok: false; problems: string[] } {
  validate ??= compile();
  if (validate(answer)) return { ok: true, answer: answer as Answer };
  const errors = validate.errors ?? [];
  const problems = [...new Set(errors.map((error) => describeError(error, answer)))];
  if (problems.length <= MAX_SCHEMA_PROBLEMS) return { ok: false, problems };
  return {
    ok: false,
    problems: [...problems.slice(0, MAX_SCHEMA_PROBLEMS), `The answer has ${problems.length - MAX_SCHEMA_PROBLEMS} more problems of its shape like these; fix the ones above first.`],
  };
}

function compile(): ValidateFunction {
  // Constructed like the manifest's checker (agent/manifest/checker.ts),
  // without `verbose`: messages here must not carry the answer's values.
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  return ajv.compile(answerSchema);
}

function describeError(error: ErrorObject, answer: unknown): string {
  const where = jsonPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${subject(where)} is missing "${String(params.missingProperty)}", which the answer format requires.`;
    case 'additionalProperties':
      return `${subject(where)} has the unknown key ${showKey(String(params.additionalProperty))}; remove it (the answer format allows no other keys there).`;
    case 'type': {
      const found = typeName(valueAt(answer, error.instancePath));
      return `${subject(where)} must be ${String(params.type).split(',').map((type) => TYPE_NOUNS[type] ?? type).join(' or ')}, not ${found}.`;
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ');
      return `${subject(where)} must be one of ${allowed}.`;
    }
    default:
      return `${subject(where)} ${error.message ?? 'is not valid'}.`;
  }
}

const TYPE_NOUNS: Record<string, string> = { object: 'a JSON object', array: 'an array', string: 'a string', integer: 'a whole number', number: 'a number', boolean: 'true or false', null: 'null' };

/** The start of a sentence about `where`. */
function subject(where: string): string {
  return where === 'answer' ? 'The answer' : where;
}

/** "/files/3/content" → "answer.files[3].content". */
export function jsonPath(pointer: string): string {
  let out = 'answer';
  if (pointer === '') return out;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(segment) ? `[${segment}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment) ? `.${segment}` : `[${showKey(segment)}]`;
  }
  return out;
}

function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let node = root;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return node;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** A key as JSON, cut short: keys are the model's text and may be huge. */
function showKey(key: string): string {
  return JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
}
