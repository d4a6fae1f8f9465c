/**
 * `nexus secret encrypt KEY [--recipient age1…] [--data-dir DIR]`: encrypts
 * a value to the agent's public key and prints the line to paste under an
 * app's `env:` in nexus.yaml. Only the agent's private key can read it.
 *
 * How main.ts is meant to call it (wiring left to the lead):
 *
 *   case 'secret':            // positionals: ['encrypt', KEY]
 *     const value = await readStdin();   // the value comes from stdin, never
 *                                        // argv (argv shows up in `ps` and
 *                                        // shell history); strip one final
 *                                        // "\n" so `echo x |` means "x"
 *     return secret.runSecretEncrypt({ key: positionals[1], value,
 *       recipient: values.recipient,                  // --recipient
 *       dataDir: values['data-dir'] ?? <agent config>.dataDir });
 *
 * It needs no running agent and no network: with --recipient it works on
 * any machine (a developer's laptop), without it it reads
 * <dataDir>/agent.pub on the agent's host.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { NexusError } from '../errors/index.ts';
import { AgentPublicKeyMissingError, encryptManifestValue, PUBLIC_KEY_FILE } from '../secrets/index.ts';

export const usage = 'nexus secret encrypt KEY [--recipient age1…]  encrypt a value read from stdin to the agent\'s key; prints `KEY: { encrypted: "…" }` for nexus.yaml';

export interface SecretEncryptOptions {
  /** The agent's public key; when absent, read from `<dataDir>/agent.pub`. */
  recipient?: string;
  /** The agent's data folder (agent config `dataDir`), for agent.pub. Default ".nexus". */
  dataDir?: string;
  /** The env variable name, e.g. STRIPE_KEY. */
  key: string;
  /** The secret value, exactly as the container should see it. */
  value: string;
}

/**
 * A KEY that cannot be an env variable name in nexus.yaml. Not repeated:
 * someone who typed the value where the name goes must not see it echoed.
 */
export class InvalidEnvKeyError extends NexusError<'INVALID_ENV_KEY', Record<string, never>> {
  constructor() {
    super('INVALID_ENV_KEY', 'KEY is not a valid env variable name — use letters, digits and \'_\', not starting with a digit, e.g. STRIPE_KEY; the value itself goes on stdin', {});
  }
}

/** An empty value, most likely nothing was piped in. */
export class EmptySecretError extends NexusError<'EMPTY_SECRET', { key: string }> {
  constructor(key: string) {
    super('EMPTY_SECRET', `the value for ${key} is empty — pipe it on stdin, e.g. \`printf %s "$VALUE" | nexus secret encrypt ${key}\``, { key });
  }
}

/**
 * Prints `KEY: { encrypted: "…" }`: the age armor as a double-quoted YAML
 * string (newlines as \n), one line that pastes under `env:` at any
 * indentation. Returns the exit code; throws the NexusErrors above and
 * InvalidRecipientError / AgentPublicKeyMissingError. The value is never
 * printed or put in an error.
 */
export async function runSecretEncrypt(options: SecretEncryptOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { key, value } = options;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new InvalidEnvKeyError();
  if (value === '') throw new EmptySecretError(key);
  const { recipient, from } = options.recipient !== undefined
    ? { recipient: options.recipient, from: '--recipient' }
    : await readAgentRecipient(options.dataDir ?? '.nexus');
  const armored = await encryptManifestValue(value, recipient, from);
  // JSON string syntax is valid YAML double-quoted syntax.
  out.write(`${key}: { encrypted: ${JSON.stringify(armored)} }\n`);
  return 0;
}

async function readAgentRecipient(dataDir: string): Promise<{ recipient: string; from: string }> {
  const file = path.join(dataDir, PUBLIC_KEY_FILE);
  try {
    return { recipient: (await fs.readFile(file, 'utf8')).trim(), from: file };
  } catch (cause) {
    throw new AgentPublicKeyMissingError(file, { cause });
  }
}
