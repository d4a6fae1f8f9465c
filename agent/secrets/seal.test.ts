import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSealer, loadOrCreateAgentKey, SecretMalformedError, SecretWrongKeyError } from './index.ts';

const newKey = async () => loadOrCreateAgentKey(await fs.mkdtemp(path.join(os.tmpdir(), 'nexus-seal-')));
const SECRET = 'sk_live_51HxY2eZvKYlo2C9';

test('seal → open gives back the value, and the sealed form hides it', async () => {
  const sealer = createSealer(await newKey());
  for (const value of [SECRET, '', 'ünïcødé ✓ 🔑', 'line 1\nline 2\n', 'x'.repeat(100_000)]) {
    const sealed = await sealer.seal(value);
    assert.is(await sealer.open(sealed), value);
    assert.ok(sealed.startsWith('-----BEGIN AGE ENCRYPTED FILE-----\n'), sealed.slice(0, 40));
    if (value.length > 0) assert.not.ok(sealed.includes(value));
    // One string that survives a JSON state file as is.
    assert.is(JSON.parse(JSON.stringify({ sealed })).sealed, sealed);
  }
});

test('sealing twice gives different texts (no equality leak between apps or releases)', async () => {
  const sealer = createSealer(await newKey());
  const [a, b] = await Promise.all([sealer.seal(SECRET), sealer.seal(SECRET)]);
  assert.is.not(a, b);
});

test('a value sealed by another agent key: SECRET_WRONG_KEY, naming the place, not the value', async () => {
  const sealed = await createSealer(await newKey()).seal(SECRET);
  const key = await newKey();
  try {
    await createSealer(key).open(sealed, { app: 'web', key: 'STRIPE_KEY' });
    assert.unreachable('opened with the wrong key');
  } catch (error) {
    assert.instance(error, SecretWrongKeyError);
    const wrong = error as SecretWrongKeyError;
    assert.is(wrong.code, 'SECRET_WRONG_KEY');
    assert.equal(wrong.data, { app: 'web', key: 'STRIPE_KEY', source: 'sealed', recipient: key.recipient });
    assert.is(wrong.message, 'app "web", env STRIPE_KEY: sealed by a different agent key (agent.key was replaced) — set the secret again with `nexus secret set <app> NAME`');
  }
});

test('a damaged sealed value: SECRET_MALFORMED', async () => {
  const sealer = createSealer(await newKey());
  const sealed = await sealer.seal(SECRET);
  const lines = sealed.trimEnd().split('\n');
  const body = lines.slice(1, -1).join('');
  const damaged = [
    'not sealed at all',
    sealed.replace('-----END AGE ENCRYPTED FILE-----', ''),
    [lines[0], body.slice(0, -8), lines.at(-1)].join('\n'), // cut short
    [lines[0], `${body.slice(0, -6)}${body.slice(-6, -5) === 'A' ? 'B' : 'A'}${body.slice(-5)}`, lines.at(-1)].join('\n'), // one letter changed
  ];
  for (const text of damaged) {
    try {
      await sealer.open(text);
      assert.unreachable(`opened ${text.slice(0, 40)}`);
    } catch (error) {
      assert.instance(error, SecretMalformedError, String(error));
      assert.is((error as SecretMalformedError).code, 'SECRET_MALFORMED');
      assert.is((error as SecretMalformedError).data.source, 'sealed');
      assert.match((error as Error).message, /^the stored secret is damaged \(.+\) — set it again/);
    }
  }
});

test.run();
