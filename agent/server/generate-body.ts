/**
 * The body of POST /api/generate, checked strictly: malformed JSON, wrong
 * types and unknown fields are a 400 that says what to send, never read as
 * an empty request.
 */
export interface GenerateBody {
  prompt: string;
  app: string;
  repo?: string;
  provider?: 'openai' | 'anthropic';
  model?: string;
  dryRun?: boolean;
}

const FIELDS = new Set(['prompt', 'app', 'repo', 'provider', 'model', 'dryRun']);

/** Parses the raw body; a string is the problem to answer with. */
export function parseGenerateBody(text: string): GenerateBody | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'the body is not JSON — send {"prompt": "...", "app": "name"}';
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'the body must be a JSON object: {"prompt": "...", "app": "name"}';
  const body = value as Record<string, unknown>;
  const unknown = Object.keys(body).filter((key) => !FIELDS.has(key));
  if (unknown.length > 0) return `unknown field ${unknown.map((key) => JSON.stringify(key)).join(', ')} — the fields are prompt, app, repo, provider, model, dryRun`;
  if (typeof body.prompt !== 'string' || body.prompt.trim() === '' || body.prompt.length > 10_000) return '"prompt" must be a non-empty string of at most 10,000 characters';
  if (typeof body.app !== 'string' || !/^[a-z][a-z0-9-]{0,39}$/.test(body.app)) return '"app" must be an app name: 1-40 characters, lowercase letters, digits and \'-\', starting with a letter';
  if (body.repo !== undefined && (typeof body.repo !== 'string' || !/^[a-z][a-z0-9-]{0,39}$/.test(body.repo))) return '"repo" must be the name of a watched repo';
  if (body.provider !== undefined && body.provider !== 'openai' && body.provider !== 'anthropic') return '"provider" must be "openai" or "anthropic"';
  if (body.model !== undefined && (typeof body.model !== 'string' || !/^[\w.:/@+-]{1,200}$/.test(body.model))) return '"model" must be a model name: up to 200 letters, digits and . : / @ + - _';
  if (body.dryRun !== undefined && typeof body.dryRun !== 'boolean') return '"dryRun" must be true or false';
  return body as unknown as GenerateBody;
}
