/**
 * Secrets: the agent's age key, sealing values at rest, decrypting values
 * committed encrypted in nexus.yaml, and redacting secret values from
 * anything shown to people. Plaintext only ever leaves this folder as the
 * return value of `open` / `decryptManifestValue`, on its way into a
 * container's environment.
 */
export type { AgentKey } from './keys.ts';
export { KEY_FILE, loadOrCreateAgentKey, PUBLIC_KEY_FILE } from './keys.ts';
export type { Sealer } from './seal.ts';
export { createSealer } from './seal.ts';
export { decryptManifestValue, encryptManifestValue } from './manifest-value.ts';
export { looksArmored, normalizeArmor } from './armor.ts';
export type { Redactor } from './redact.ts';
export { createRedactor, MIN_SECRET_LENGTH, REDACTED } from './redact.ts';
export type { SecretLocation } from './errors.ts';
export {
  AgentKeyExposedError,
  AgentKeyInvalidError,
  AgentPublicKeyMissingError,
  InvalidRecipientError,
  SecretMalformedError,
  SecretWrongKeyError,
} from './errors.ts';
