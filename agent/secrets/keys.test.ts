import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { identityToRecipient } from 'age-encryption';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AgentKeyExposedError, AgentKeyInvalidError, loadOrCreateAgentKey } from './index.ts';

const tempDir = () => fs.mkdtemp(path.join(os.tmpdir(), 'nexus-keys-'));
const modeOf = async (file: string) => (await fs.stat(file)).mode & 0o777;

test('first start creates agent.key 0600 and agent.pub 0644, whatever the umask', async () => {
  const dir = path.join(await tempDir(), 'data'); // not there yet
  const previous = process.umask(0o000);
  try {
    const key = await loadOrCreateAgentKey(dir);
    assert.match(key.identity, /^AGE-SECRET-KEY-1[0-9A-Z]+$/);
    assert.match(key.recipient, /^age1[0-9a-z]+$/);
    assert.is(await identityToRecipient(key.identity), key.recipient);
    assert.is(await modeOf(path.join(dir, 'agent.key')), 0o600);
    assert.is(await modeOf(path.join(dir, 'agent.pub')), 0o644);
    assert.is(await fs.readFile(path.join(dir, 'agent.pub'), 'utf8'), `${key.recipient}\n`);
    // age-keygen's format, so `age -d -i agent.key` works for recovery.
    const lines = (await fs.readFile(path.join(dir, 'agent.key'), 'utf8')).trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^# created: /);
    assert.is(lines[1], `# public key: ${key.recipient}`);
    assert.is(lines[2], key.identity);
    assert.equal((await fs.readdir(dir)).sort(), ['agent.key', 'agent.pub'], 'no temporary files left');
  } finally {
    process.umask(previous);
  }
});

test('later starts load the same key and restore a missing or edited agent.pub', async () => {
  const dir = await tempDir();
  const first = await loadOrCreateAgentKey(dir);
  await fs.writeFile(path.join(dir, 'agent.pub'), 'age1somethingelse\n');
  assert.equal(await loadOrCreateAgentKey(dir), first);
  assert.is(await fs.readFile(path.join(dir, 'agent.pub'), 'utf8'), `${first.recipient}\n`);
  await fs.unlink(path.join(dir, 'agent.pub'));
  assert.equal(await loadOrCreateAgentKey(dir), first);
  assert.is(await fs.readFile(path.join(dir, 'agent.pub'), 'utf8'), `${first.recipient}\n`);
});

test('two agents starting at once end up with one key', async () => {
  const dir = await tempDir();
  const keys = await Promise.all(Array.from({ length: 5 }, () => loadOrCreateAgentKey(dir)));
  for (const key of keys) assert.equal(key, keys[0]);
  assert.equal((await fs.readdir(dir)).sort(), ['agent.key', 'agent.pub']);
});

test('a key readable by group or others is refused with what to do, never shown', async () => {
  for (const mode of [0o644, 0o640, 0o604]) {
    const dir = await tempDir();
    const { identity } = await loadOrCreateAgentKey(dir);
    const keyPath = path.join(dir, 'agent.key');
    await fs.chmod(keyPath, mode);
    try {
      await loadOrCreateAgentKey(dir);
      assert.unreachable('a loose key was used');
    } catch (error) {
      assert.instance(error, AgentKeyExposedError);
      const exposed = error as AgentKeyExposedError;
      assert.is(exposed.code, 'AGENT_KEY_EXPOSED');
      assert.equal(exposed.data, { path: keyPath, mode: `0${mode.toString(8)}` });
      assert.ok(exposed.message.includes(`chmod 600 ${keyPath}`), exposed.message);
      assert.not.ok(exposed.message.includes(identity));
    }
    await fs.chmod(keyPath, 0o400); // owner-only (even read-only) is fine
    assert.is((await loadOrCreateAgentKey(dir)).identity, identity);
  }
});

test('a key file without an identity is reported, not replaced', async () => {
  const dir = await tempDir();
  const keyPath = path.join(dir, 'agent.key');
  for (const text of ['', '# just a comment\n', 'AGE-SECRET-KEY-1NOTVALID\n']) {
    await fs.writeFile(keyPath, text, { mode: 0o600 });
    try {
      await loadOrCreateAgentKey(dir);
      assert.unreachable(`accepted ${JSON.stringify(text)}`);
    } catch (error) {
      assert.instance(error, AgentKeyInvalidError);
      assert.is((error as AgentKeyInvalidError).code, 'AGENT_KEY_INVALID');
      assert.match((error as Error).message, /restore it from a backup/);
    }
    assert.is(await fs.readFile(keyPath, 'utf8'), text, 'the file is left alone');
  }
});

test.run();
