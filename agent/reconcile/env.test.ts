import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRedactor, createSealer, encryptManifestValue, loadOrCreateAgentKey } from '../secrets/index.ts';
import { emptyState, type StateData } from '../../state/index.ts';
import { createEnvResolver } from './env.ts';
import { withStateVersions, type DesiredApp } from './desired.ts';

const app = (secrets: DesiredApp['spec']['secrets'], database?: 'postgres'): DesiredApp => ({
  repo: 'demo', app: 'web', revision: 'r', build: { buildKey: 'b', context: '.', dockerfile: 'Dockerfile', exclude: [], explanation: 'Dockerfile' }, buildKey: 'b', specHash: 'git-hash',
  spec: { name: 'web', build: { context: '.', dockerfile: 'Dockerfile' }, port: 3000, domains: [], health: { path: '/', timeoutMs: 1 }, env: { PLAIN: 'yes' }, ...(secrets ? { secrets } : {}), ...(database ? { database } : {}) },
});

test('apps without secrets or a database keep their git spec hash', () => {
  assert.is(withStateVersions(app(undefined), emptyState()).specHash, 'git-hash');
});

test('a new sealed secret value or database password changes the spec hash', () => {
  const desired = app({ A: { kind: 'stored', name: 'A' } }, 'postgres');
  const state = (secret: string, password: string): StateData => ({ ...emptyState(), secrets: { 'demo/web': { A: secret } }, databases: { 'demo/web': { database: 'd', role: 'r', sealedPassword: password, createdAt: 't' } } });
  const base = withStateVersions(desired, state('s1', 'p1')).specHash;
  assert.is(withStateVersions(desired, state('s1', 'p1')).specHash, base);
  assert.is.not(withStateVersions(desired, state('s2', 'p1')).specHash, base);
  assert.is.not(withStateVersions(desired, state('s1', 'p2')).specHash, base);
});

test('env resolves plain, committed-encrypted and stored secrets; the record keeps only sealed values; values are redacted', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'nexus-env-'));
  try {
    const key = await loadOrCreateAgentKey(dir);
    const sealer = createSealer(key);
    const redactor = createRedactor();
    const state: StateData = { ...emptyState(), secrets: { 'demo/web': { STORED: await sealer.seal('stored-value-1') } } };
    const desired = app({ COMMITTED: { kind: 'encrypted', ciphertext: await encryptManifestValue('committed-value-2', key.recipient) }, OTHER: { kind: 'stored', name: 'STORED' } }, 'postgres');
    const resolve = createEnvResolver({ sealer, identity: key.identity, redactor, state: () => state, databaseUrl: async () => 'postgres://role:pa%2Fss-word@postgres:5432/db' });
    const { env, sealedEnv } = await resolve(desired);
    assert.equal(env, { PLAIN: 'yes', COMMITTED: 'committed-value-2', OTHER: 'stored-value-1', DATABASE_URL: 'postgres://role:pa%2Fss-word@postgres:5432/db' });
    assert.equal(Object.keys(sealedEnv).sort(), ['COMMITTED', 'OTHER']);
    assert.not.ok(JSON.stringify(sealedEnv).includes('value'), 'sealed values hold no plain text');
    assert.is(redactor.redact('a committed-value-2 b stored-value-1 c pa/ss-word'), 'a [redacted] b [redacted] c [redacted]');

    // A rollback target opens its own sealed values, not the current ones.
    const again = await resolve({ ...desired, sealedEnv });
    assert.is(again.env.COMMITTED, 'committed-value-2');
    assert.equal(again.sealedEnv, sealedEnv, 'the record of a rollback keeps the same sealed values');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a value encrypted to another key fails naming app and key, never the value', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'nexus-env-'));
  const other = await mkdtemp(path.join(tmpdir(), 'nexus-env-'));
  try {
    const key = await loadOrCreateAgentKey(dir);
    const stranger = await loadOrCreateAgentKey(other);
    const desired = app({ TOKEN: { kind: 'encrypted', ciphertext: await encryptManifestValue('top-secret-token', stranger.recipient) } });
    const resolve = createEnvResolver({ sealer: createSealer(key), identity: key.identity, redactor: createRedactor(), state: () => emptyState() });
    const error = await resolve(desired).catch((caught: Error) => caught);
    assert.instance(error, Error);
    assert.match((error as Error).message, /^app "web", env TOKEN: encrypted to a different key — re-encrypt it with `nexus secret encrypt`/);
    assert.not.ok((error as Error).message.includes('top-secret-token'));
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(other, { recursive: true, force: true });
  }
});

test.run();
