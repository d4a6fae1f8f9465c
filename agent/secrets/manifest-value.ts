import { identityToRecipient } from 'age-encryption';
import { decryptArmored, encryptArmored } from './age.ts';
import { InvalidRecipientError, SecretMalformedError, SecretWrongKeyError, type SecretLocation } from './errors.ts';

/**
 * Decrypts an `{ encrypted: "…" }` value of nexus.yaml with the agent's
 * identity. Folded or CRLF armor is accepted (see armor.ts).
 *
 * Throws SecretWrongKeyError — message names this agent's public key, so
 * the fix (re-encrypt to it) can be done at once — or SecretMalformedError.
 * Pass `where` ({ app, key }) to have them in the message and in `data`;
 * the value itself is never in either.
 */
export async function decryptManifestValue(armored: string, identity: string, where?: SecretLocation): Promise<string> {
  const result = await decryptArmored(armored, identity);
  if (result.ok) return result.plaintext;
  if (result.failure.kind === 'wrong-key') {
    throw new SecretWrongKeyError('manifest', await identityToRecipient(identity), where, { cause: result.cause });
  }
  throw new SecretMalformedError('manifest', result.failure.reason, where, { cause: result.cause });
}

/**
 * Encrypts a value for nexus.yaml to an age public key (the agent's), as
 * canonical armor. `from` names where the recipient came from, for the
 * error when it is not an age public key (e.g. "--recipient").
 */
export async function encryptManifestValue(plaintext: string, recipient: string, from = 'the recipient'): Promise<string> {
  const trimmed = recipient.trim();
  if (!trimmed.startsWith('age1')) throw new InvalidRecipientError(trimmed, from);
  try {
    return await encryptArmored(trimmed, plaintext);
  } catch (cause) {
    throw new InvalidRecipientError(trimmed, from, { cause });
  }
}
