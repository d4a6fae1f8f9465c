/**
 * The CLI talks to the running agent over its HTTP server (the agent owns
 * the state; the CLI never writes it behind the agent's back). Mutating
 * routes need the API token the agent keeps in its data folder (mode 0600),
 * so only someone who can read that folder can roll back or set secrets.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NexusError } from '../errors/index.ts';
import type { AgentConfig } from '../config/index.ts';

const TOKEN_FILE = 'api.token';

/** Reads the agent's API token, making it on first start. */
export function ensureApiToken(dataDir: string): Promise<string> {
  return ensureRandomFile(path.join(dataDir, TOKEN_FILE));
}

/** The key of the env fingerprint in container labels (see runtime configLabel), made on first start. */
export async function ensureLabelKey(dataDir: string): Promise<Buffer> {
  return Buffer.from(await ensureRandomFile(path.join(dataDir, 'label.key')), 'base64url');
}

/** A random value kept in a 0600 file: read it, or make it if missing. */
async function ensureRandomFile(file: string): Promise<string> {
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing?.trim()) {
    await chmod(file, 0o600);
    return existing.trim();
  }
  await mkdir(path.dirname(file), { recursive: true });
  const value = randomBytes(24).toString('base64url');
  await writeFile(file, `${value}\n`, { mode: 0o600 });
  return value;
}

export class AgentApiError extends NexusError<'AGENT_API', { status?: number }> {}

/** Calls the agent's API; throws with the agent's own message on an error status. */
export async function callAgent<T>(config: AgentConfig, method: 'GET' | 'POST' | 'PUT' | 'DELETE', urlPath: string, body?: unknown): Promise<T> {
  const base = `http://${config.server.host}:${config.server.port}`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (method !== 'GET') {
    const token = await readFile(path.join(config.dataDir, TOKEN_FILE), 'utf8').catch(() => undefined);
    if (!token) throw new AgentApiError('AGENT_API', `cannot read ${path.join(config.dataDir, TOKEN_FILE)} — run this on the agent host, as the agent's user, after the agent has started once`, {});
    headers.authorization = `Bearer ${token.trim()}`;
  }
  const response = await fetch(`${base}${urlPath}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }).catch((error: Error) => {
    throw new AgentApiError('AGENT_API', `the agent at ${config.server.host}:${config.server.port} did not answer (${error.message}) — is \`nexus agent\` running?`, {});
  });
  const answer = (await response.json().catch(() => ({}))) as T & { error?: string };
  if (!response.ok) throw new AgentApiError('AGENT_API', answer.error ?? `the agent answered HTTP ${response.status}`, { status: response.status });
  return answer;
}

/** Path segment for "app" or "repo/app". */
export function appPath(name: string): string {
  return encodeURIComponent(name);
}
