import { loadAgentConfig } from '../config/index.ts';
import { appPath, callAgent } from './api.ts';

export const usage = 'nexus secret set <app> NAME --config FILE   store a secret (value from stdin) for `env: { KEY: { secret: NAME } }`; a new release follows';

/** `nexus secret set`: hands the value to the running agent, which seals it; it is never printed. */
export async function runSecretSet(options: { config: string; app: string | undefined; name: string | undefined; value: string }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  if (!options.app || !options.name) throw new Error('usage: nexus secret set <app> NAME  (the value is read from stdin)');
  if (options.value === '') throw new Error(`the value for ${options.name} is empty — pipe it on stdin, e.g. \`printf %s "$VALUE" | nexus secret set ${options.app} ${options.name}\``);
  const config = await loadAgentConfig(options.config);
  const answer = await callAgent<{ message: string }>(config, 'PUT', `/api/apps/${appPath(options.app)}/secrets/${encodeURIComponent(options.name)}`, { value: options.value });
  out.write(`${answer.message}\n`);
  return 0;
}

/** All of stdin as text, minus one trailing newline (so `echo value |` means "value"). */
export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('type the value, then Ctrl-D:\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
