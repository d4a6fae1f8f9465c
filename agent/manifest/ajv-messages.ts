import type { AnySchemaObject, ErrorObject } from 'ajv';
import type { Target } from './locate.ts';
import type { PathSegment } from './problem.ts';

/** A schema violation in user terms: where it is and a sentence about it. */
export interface SchemaFault {
  path: PathSegment[];
  target: Target;
  message: string;
}

/**
 * Translates ajv's errors (which speak JSON Schema: "must match pattern …")
 * into sentences saying what is wrong, followed by a hint taken from the
 * schema's `errorMessage` — the same text editors show through the
 * published schema, so the CLI and the editor agree. Needs ajv's
 * `verbose` option, which puts the schema and the data on each error.
 */
export function translateAjvErrors(errors: readonly ErrorObject[], data: unknown, root: AnySchemaObject): SchemaFault[] {
  const faults: SchemaFault[] = [];
  for (const error of errors) {
    // propertyNames reports the inner failure (with propertyName) and then a
    // summary of it; the summary says nothing new.
    if (error.keyword === 'propertyNames') continue;
    faults.push(translate(error, data, root));
  }
  return faults;
}

function translate(error: ErrorObject, root: unknown, rootSchema: AnySchemaObject): SchemaFault {
  const path = pointerToPath(error.instancePath, root);
  const params = error.params as Record<string, unknown>;
  const schema = error.parentSchema ?? {};
  const hint = hintOf(schema);
  const withHint = (what: string, extra = hint) => (extra === undefined ? what : `${what} — ${extra}`);
  // A `writeOnly` field (an encrypted env value, a secret's name) may hold a
  // secret pasted in the wrong place: say what is wrong without repeating it.
  const quiet = schema.writeOnly === true;

  switch (error.keyword) {
    case 'type':
      if (path.length === 0 && error.data === null) return { path, target: 'value', message: withHint('the file is empty') };
      return { path, target: 'value', message: withHint(typeMismatch(String(params.type), error.data, quiet)) };
    case 'required': {
      const missing = String(params.missingProperty);
      const property = resolveRef((schema.properties as Record<string, AnySchemaObject> | undefined)?.[missing], rootSchema);
      return { path: [...path, missing], target: 'value', message: withHint('is required', hintOf(property)) };
    }
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = Object.keys((schema.properties as object | undefined) ?? {});
      const guess = closest(key, known);
      const what = `unknown key "${key}"${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`;
      return { path: [...path, key], target: 'key', message: withHint(what, `allowed keys here: ${known.join(', ')}`) };
    }
    case 'pattern':
      if (error.propertyName !== undefined) {
        return { path: [...path, error.propertyName], target: 'key', message: withHint(`"${error.propertyName}" is not a valid name`) };
      }
      return { path, target: 'value', message: withHint(quiet ? 'is not valid' : `${show(error.data)} is not valid`) };
    case 'const':
      return { path, target: 'value', message: withHint(`must be ${show(params.allowedValue)}, not ${show(error.data)}`) };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(show).join(', ');
      return { path, target: 'value', message: withHint(`must be one of ${allowed}, not ${show(error.data)}`) };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path, target: 'value', message: withHint(bound(error.keyword, params.limit)) };
    case 'minItems':
    case 'minProperties':
    case 'minLength':
      return { path, target: 'value', message: withHint(Number(params.limit) <= 1 ? 'must not be empty' : `needs at least ${String(params.limit)} ${unit(error.keyword)}`) };
    case 'maxItems':
    case 'maxProperties':
    case 'maxLength':
      return { path, target: 'value', message: withHint(`may have at most ${String(params.limit)} ${unit(error.keyword)}`) };
    case 'uniqueItems': {
      // ajv names both indices; the later one is the copy to remove.
      const index = Math.max(Number(params.i), Number(params.j));
      const item = Array.isArray(error.data) ? error.data[index] : undefined;
      return { path: [...path, index], target: 'value', message: `${show(item)} is listed twice — remove the duplicate` };
    }
    default:
      return { path, target: 'value', message: withHint(error.message ?? 'is not valid') };
  }
}

/** JSON pointer → path; a segment is a number only where the data is a list. */
function pointerToPath(pointer: string, root: unknown): PathSegment[] {
  if (pointer === '') return [];
  const path: PathSegment[] = [];
  let node = root;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      path.push(Number(segment));
      node = node[Number(segment)];
    } else {
      path.push(segment);
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[segment] : undefined;
    }
  }
  return path;
}

function hintOf(schema: AnySchemaObject | undefined): string | undefined {
  const hint = schema?.errorMessage ?? schema?.description;
  return typeof hint === 'string' ? hint : undefined;
}

/** Follows a local `#/definitions/x` reference, for hints of required keys. */
function resolveRef(schema: AnySchemaObject | undefined, root: AnySchemaObject): AnySchemaObject | undefined {
  const ref = schema?.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return schema;
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) node = (node as Record<string, unknown> | undefined)?.[part];
  return node as AnySchemaObject | undefined;
}

const NOUNS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a map of `key: value` entries',
  array: 'a list',
  null: 'empty',
};

function typeMismatch(expected: string, data: unknown, quiet = false): string {
  const wanted = expected.split(',').map((t) => NOUNS[t] ?? t).join(' or ');
  if (data === null || data === undefined) return `has no value; it must be ${wanted}`;
  if (quiet) return `must be ${wanted}`;
  return `must be ${wanted}, not ${describe(data)}`;
}

/** A value as the user would recognise it in their file. */
function describe(data: unknown): string {
  if (typeof data === 'string') return `the string ${JSON.stringify(data)}`;
  if (Array.isArray(data)) return 'a list';
  if (typeof data === 'object' && data !== null) return 'a map';
  return String(data);
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return JSON.stringify(value);
}

function bound(keyword: string, limit: unknown): string {
  const phrases: Record<string, string> = {
    minimum: 'at least',
    maximum: 'at most',
    exclusiveMinimum: 'more than',
    exclusiveMaximum: 'less than',
  };
  return `must be ${phrases[keyword] ?? keyword} ${String(limit)}`;
}

function unit(keyword: string): string {
  if (keyword.endsWith('Items')) return 'items';
  if (keyword.endsWith('Properties')) return 'entries';
  return 'characters';
}

/** The known key a typo most likely meant: same letters ignoring case, or at most 2 edits away. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = name.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, name);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
