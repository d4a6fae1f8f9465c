import { decryptArmored, encryptArmored } from './age.ts';
import { SecretMalformedError, SecretWrongKeyError, type SecretLocation } from './errors.ts';
import type { AgentKey } from './keys.ts';

/**
 * Keeps secrets encrypted at rest (in the state file, the state database,
 * release records): `seal` encrypts to the agent's own public key, `open`
 * decrypts with its private key. A sealed value is age ASCII armor — one
 * string, safe in JSON — and recoverable with `age -d -i agent.key`.
 */
export interface Sealer {
  /** Encrypts a secret value; every call gives a different string. */
  seal(plaintext: string): Promise<string>;
  /**
   * Decrypts what `seal` returned. Throws SecretWrongKeyError (sealed under
   * another agent key) or SecretMalformedError (damaged); `where` only
   * labels those errors.
   */
  open(sealed: string, where?: SecretLocation): Promise<string>;
}

/** A Sealer bound to the agent's key (from loadOrCreateAgentKey). */
export function createSealer(key: AgentKey): Sealer {
  return {
    seal: function seal(plaintext) {
      return encryptArmored(key.recipient, plaintext);
    },
    open: async function open(sealed, where) {
      const result = await decryptArmored(sealed, key.identity);
      if (result.ok) return result.plaintext;
      if (result.failure.kind === 'wrong-key') throw new SecretWrongKeyError('sealed', key.recipient, where, { cause: result.cause });
      throw new SecretMalformedError('sealed', result.failure.reason, where, { cause: result.cause });
    },
  };
}
