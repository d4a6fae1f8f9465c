import { armor, Decrypter, Encrypter } from 'age-encryption';
import { normalizeArmor } from './armor.ts';

/**
 * The only file that talks to the age library. age (via typage) rather than
 * hand-rolled AES/X25519: an audited format with a real spec, and values
 * stay readable with the stock tools (`age -d -i agent.key`) if the agent
 * is ever gone.
 */

/** Why a ciphertext could not be opened; never carries plaintext. */
export type OpenFailure = { kind: 'wrong-key' } | { kind: 'malformed'; reason: string };

export type OpenResult = { ok: true; plaintext: string } | { ok: false; failure: OpenFailure; cause?: unknown };

/** Encrypts UTF-8 text to one recipient and returns it ASCII-armored (one JSON- and YAML-safe string). */
export async function encryptArmored(recipient: string, plaintext: string): Promise<string> {
  const encrypter = new Encrypter();
  encrypter.addRecipient(recipient);
  return armor.encode(await encrypter.encrypt(plaintext));
}

/**
 * Decrypts armored text with one identity, telling "not for this key" from
 * "not age at all / damaged" — the two need different fixes from the user.
 * The library has no error classes, so the one message that means a
 * different key is matched here (a unit test pins it).
 */
export async function decryptArmored(text: string, identity: string): Promise<OpenResult> {
  const canonical = normalizeArmor(text);
  if (canonical === undefined) {
    return { ok: false, failure: { kind: 'malformed', reason: 'no -----BEGIN AGE ENCRYPTED FILE----- … -----END AGE ENCRYPTED FILE----- block' } };
  }
  let file: Uint8Array;
  try {
    file = armor.decode(canonical);
  } catch (cause) {
    return { ok: false, failure: { kind: 'malformed', reason: 'the armor is not valid base64' }, cause };
  }
  const decrypter = new Decrypter();
  decrypter.addIdentity(identity);
  try {
    return { ok: true, plaintext: await decrypter.decrypt(file, 'text') };
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : '';
    if (message.includes('no identity matched')) return { ok: false, failure: { kind: 'wrong-key' }, cause };
    const reason = /header|stanza|version/.test(message) ? 'the age header is damaged' : 'the data is truncated or was edited';
    return { ok: false, failure: { kind: 'malformed', reason }, cause };
  }
}
