import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  decryptManifestValue,
  encryptManifestValue,
  InvalidRecipientError,
  loadOrCreateAgentKey,
  normalizeArmor,
  SecretMalformedError,
  SecretWrongKeyError,
} from './index.ts';

const newKey = async () => loadOrCreateAgentKey(await fs.mkdtemp(path.join(os.tmpdir(), 'nexus-manifest-value-')));
const SECRET = 'postgres://app:s3cr3t-Pa55@db:5432/app';
const where = { app: 'web', key: 'DATABASE_PASSWORD' };

test('a value encrypted to the agent decrypts, however YAML folded the armor', async () => {
  const key = await newKey();
  const armored = await encryptManifestValue(SECRET, key.recipient);
  assert.is(await decryptManifestValue(armored, key.identity), SECRET);
  assert.is(await decryptManifestValue(armored.replace(/\n/g, ' '), key.identity), SECRET, 'folded into one line');
  assert.is(await decryptManifestValue(armored.replace(/\n/g, '\r\n'), key.identity), SECRET, 'CRLF');
  assert.is(await decryptManifestValue(`  \n${armored.trimEnd()}`, key.identity), SECRET, 'no final newline, leading blank');
  assert.is(normalizeArmor(armored.replace(/\n/g, ' ')), armored, 'one canonical text');
});

test('encrypted to another key: SECRET_WRONG_KEY saying to re-encrypt to this agent\'s public key', async () => {
  const other = await newKey();
  const agent = await newKey();
  const armored = await encryptManifestValue(SECRET, other.recipient);
  try {
    await decryptManifestValue(armored, agent.identity, where);
    assert.unreachable('decrypted with the wrong key');
  } catch (error) {
    assert.instance(error, SecretWrongKeyError);
    const wrong = error as SecretWrongKeyError;
    assert.is(wrong.code, 'SECRET_WRONG_KEY');
    assert.is(wrong.message,
      `app "web", env DATABASE_PASSWORD: encrypted to a different key — re-encrypt it with \`nexus secret encrypt\` using this agent's public key ${agent.recipient}`);
    assert.equal(wrong.data, { ...where, source: 'manifest', recipient: agent.recipient });
  }
  // Without a location the message starts with what is wrong; the caller may add its own.
  const error = await decryptManifestValue(armored, agent.identity).catch((e: unknown) => e);
  assert.match((error as Error).message, /^encrypted to a different key — /);
});

test('not age at all, or damaged: SECRET_MALFORMED, never repeating the text', async () => {
  const key = await newKey();
  const armored = await encryptManifestValue('x', key.recipient);
  const bad = [
    SECRET, // the plaintext pasted where the ciphertext belongs
    '-----BEGIN AGE ENCRYPTED FILE-----\n-----END AGE ENCRYPTED FILE-----\n',
    '-----BEGIN AGE ENCRYPTED FILE-----\nbm90IGFnZQ==\n-----END AGE ENCRYPTED FILE-----\n', // base64 of "not age"
    armored.replace(/\n[^\n]*\n-----END/, '\n-----END'), // last line lost
  ];
  for (const text of bad) {
    try {
      await decryptManifestValue(text, key.identity, where);
      assert.unreachable(`accepted ${text.slice(0, 40)}`);
    } catch (error) {
      assert.instance(error, SecretMalformedError, String(error));
      const malformed = error as SecretMalformedError;
      assert.is(malformed.code, 'SECRET_MALFORMED');
      assert.match(malformed.message, /^app "web", env DATABASE_PASSWORD: not an age ciphertext \(malformed: .+\) — paste the whole output of `nexus secret encrypt`/);
      assert.not.ok(malformed.message.includes(SECRET));
      assert.not.ok(JSON.stringify(malformed.data).includes(SECRET));
      assert.equal({ app: malformed.data.app, key: malformed.data.key, source: malformed.data.source }, { ...where, source: 'manifest' });
    }
  }
});

test('encrypting to something that is not a public key says so, and never echoes a private key', async () => {
  const key = await newKey();
  for (const recipient of ['', 'age1notbech32', 'ssh-ed25519 AAAA', key.identity]) {
    try {
      await encryptManifestValue(SECRET, recipient, '--recipient');
      assert.unreachable(`encrypted to ${recipient}`);
    } catch (error) {
      assert.instance(error, InvalidRecipientError);
      assert.is((error as InvalidRecipientError).code, 'INVALID_RECIPIENT');
      assert.match((error as Error).message, /^--recipient is (not an age public key|a private key)/);
      if (recipient !== '') assert.not.ok((error as Error).message.includes(recipient));
    }
  }
  const error = await encryptManifestValue(SECRET, key.identity, '--recipient').catch((e: unknown) => e);
  assert.match((error as Error).message, /is a private key, not a public one/);
});

test.run();
