import { NexusError } from '../errors/index.ts';

/**
 * Where a secret value came from, so the caller can name it without ever
 * showing it: an env key of an app in nexus.yaml, or a sealed value the
 * agent stored itself. Both fields are optional because the secrets folder
 * does not know them; the caller passes them in (see decryptManifestValue).
 */
export interface SecretLocation {
  app?: string;
  key?: string;
}

/** `app "web", env STRIPE_KEY: ` — or nothing when the caller gave no location. */
export function locationPrefix(where: SecretLocation | undefined): string {
  const parts: string[] = [];
  if (where?.app !== undefined) parts.push(`app "${where.app}"`);
  if (where?.key !== undefined) parts.push(`env ${where.key}`);
  return parts.length === 0 ? '' : `${parts.join(', ')}: `;
}

/** The agent's private key file can be read by other users. */
export class AgentKeyExposedError extends NexusError<'AGENT_KEY_EXPOSED', { path: string; mode: string }> {
  constructor(path: string, mode: number) {
    const octal = (mode & 0o777).toString(8).padStart(4, '0');
    super('AGENT_KEY_EXPOSED',
      `${path} can be read by other users (mode ${octal}), so the agent will not use it — run \`chmod 600 ${path}\`; `
      + 'if someone else may have copied it, move it away, restart the agent to get a new key and re-encrypt the values in nexus.yaml',
      { path, mode: octal });
  }
}

/** The agent's private key file exists but holds no usable age identity. */
export class AgentKeyInvalidError extends NexusError<'AGENT_KEY_INVALID', { path: string }> {
  constructor(path: string, options?: { cause?: unknown }) {
    super('AGENT_KEY_INVALID',
      `${path} does not hold an age identity (a line starting with AGE-SECRET-KEY-1) — restore it from a backup; `
      + 'without it, values encrypted to this agent cannot be read (moving it away makes the agent create a new key)',
      { path }, options);
  }
}

/** A ciphertext that is fine, but was encrypted to someone else. */
export class SecretWrongKeyError extends NexusError<'SECRET_WRONG_KEY', SecretLocation & { source: 'manifest' | 'sealed'; recipient: string }> {
  constructor(source: 'manifest' | 'sealed', recipient: string, where?: SecretLocation, options?: { cause?: unknown }) {
    const what = source === 'manifest'
      ? `encrypted to a different key — re-encrypt it with \`nexus secret encrypt\` using this agent's public key ${recipient}`
      : 'sealed by a different agent key (agent.key was replaced) — set the secret again with `nexus secret set <app> NAME`';
    super('SECRET_WRONG_KEY', `${locationPrefix(where)}${what}`, { ...where, source, recipient }, options);
  }
}

/** Text that is not an age ciphertext, or one that was cut or edited. */
export class SecretMalformedError extends NexusError<'SECRET_MALFORMED', SecretLocation & { source: 'manifest' | 'sealed'; reason: string }> {
  constructor(source: 'manifest' | 'sealed', reason: string, where?: SecretLocation, options?: { cause?: unknown }) {
    const what = source === 'manifest'
      ? `not an age ciphertext (malformed: ${reason}) — paste the whole output of \`nexus secret encrypt\`, `
        + 'from -----BEGIN AGE ENCRYPTED FILE----- to -----END AGE ENCRYPTED FILE-----'
      : `the stored secret is damaged (${reason}) — set it again with \`nexus secret set <app> NAME\``;
    super('SECRET_MALFORMED', `${locationPrefix(where)}${what}`, { ...where, source, reason }, options);
  }
}

/**
 * A `--recipient` (or agent.pub) that is not an age public key. The text is
 * not repeated: a swapped argument may be a secret, even the private key.
 */
export class InvalidRecipientError extends NexusError<'INVALID_RECIPIENT', { from: string }> {
  constructor(recipient: string, from: string, options?: { cause?: unknown }) {
    const what = recipient.trim().toUpperCase().startsWith('AGE-SECRET-KEY-')
      ? 'is a private key, not a public one — never pass or share it; use the public key "age1…" printed in <dataDir>/agent.pub'
      : 'is not an age public key (expected "age1…") — use the agent\'s public key, printed in <dataDir>/agent.pub';
    super('INVALID_RECIPIENT', `${from} ${what}`, { from }, options);
  }
}

/** `nexus secret encrypt` without `--recipient` and without a readable agent.pub. */
export class AgentPublicKeyMissingError extends NexusError<'AGENT_PUBLIC_KEY_MISSING', { path: string }> {
  constructor(path: string, options?: { cause?: unknown }) {
    super('AGENT_PUBLIC_KEY_MISSING',
      `cannot read the agent's public key at ${path} — pass \`--recipient age1…\` (copy it from agent.pub on the agent's host), `
      + 'or point --data-dir at the agent\'s data folder; the agent writes agent.pub on its first start',
      { path }, options);
  }
}
