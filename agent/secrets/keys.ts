import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { AgentKeyExposedError, AgentKeyInvalidError } from './errors.ts';

/** The agent's age key pair: the private identity and the public recipient. */
export interface AgentKey {
  /** `AGE-SECRET-KEY-1…` — never log, print or return it from the API. */
  identity: string;
  /** `age1…` — public; users encrypt nexus.yaml values to it. */
  recipient: string;
}

export const KEY_FILE = 'agent.key';
export const PUBLIC_KEY_FILE = 'agent.pub';

/**
 * Loads the agent's age identity from `<dataDir>/agent.key`, creating it on
 * first start (mode 0600), and (re)writes the public recipient to
 * `<dataDir>/agent.pub` (mode 0644) so `nexus secret encrypt` can find it.
 *
 * A key file that group or others can read is refused, not silently
 * chmod-ed: the key may already have been copied, and the person who must
 * decide whether to rotate it has to hear about it.
 *
 * The key is X25519 (short `age1…` recipients that fit on one line of
 * nexus.yaml), in the file format of `age-keygen`, so `age -d -i agent.key`
 * works for recovery.
 */
export async function loadOrCreateAgentKey(dataDir: string): Promise<AgentKey> {
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const keyPath = path.join(dataDir, KEY_FILE);
  const identity = (await readKeyFile(keyPath)) ?? (await createKeyFile(keyPath));
  let recipient: string;
  try {
    recipient = await identityToRecipient(identity);
  } catch (cause) {
    throw new AgentKeyInvalidError(keyPath, { cause });
  }
  await writePublicKey(path.join(dataDir, PUBLIC_KEY_FILE), recipient);
  return { identity, recipient };
}

/** The identity in the key file, or undefined when there is no file yet. */
async function readKeyFile(keyPath: string): Promise<string | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(keyPath, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    // Mode of the file actually opened, not of whatever the path names a moment later.
    const stat = await handle.stat();
    if (!stat.isFile()) throw new AgentKeyInvalidError(keyPath);
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) throw new AgentKeyExposedError(keyPath, stat.mode);
    const text = await handle.readFile('utf8');
    const keys = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.startsWith('AGE-SECRET-KEY-'));
    if (keys.length !== 1) throw new AgentKeyInvalidError(keyPath);
    return keys[0];
  } finally {
    await handle.close();
  }
}

/**
 * Writes a new key so that the key file is either absent or complete: a
 * temporary file (created 0600, so never readable by others even for an
 * instant) is fsync-ed and then hard-linked into place. link() fails when
 * the name exists, so two agents starting together end up with one key.
 */
async function createKeyFile(keyPath: string): Promise<string> {
  const identity = await generateX25519Identity();
  const recipient = await identityToRecipient(identity);
  const text = `# created: ${new Date().toISOString()}\n# public key: ${recipient}\n${identity}\n`;
  const temporary = `${keyPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await fs.open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.link(temporary, keyPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another process won the race: use its key.
    await fs.unlink(temporary);
    const existing = await readKeyFile(keyPath);
    if (existing === undefined) throw new AgentKeyInvalidError(keyPath, { cause: error });
    return existing;
  }
  await fs.unlink(temporary);
  return identity;
}

/** agent.pub is derived from the key, so it is rewritten whenever it differs. */
async function writePublicKey(pubPath: string, recipient: string): Promise<void> {
  const text = `${recipient}\n`;
  const current = await fs.readFile(pubPath, 'utf8').catch(() => undefined);
  if (current === text) return;
  const temporary = `${pubPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await fs.writeFile(temporary, text, { mode: 0o644, flag: 'wx' });
  await fs.chmod(temporary, 0o644); // the umask may have taken bits away
  await fs.rename(temporary, pubPath);
}
