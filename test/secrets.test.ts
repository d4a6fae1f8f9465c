/**
 * Secrets end to end on the real services: a value committed encrypted to
 * the agent's key and a value set out of band reach the app's container,
 * while no log line, API answer, history entry or file in the data folder
 * holds them in plain text. Wrong-key and malformed values are reported
 * naming the app and key, and the old release keeps serving; rollback
 * restores the previous secret value.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHarness, type Harness } from './support/agent-harness.ts';
import { waitFor } from './support/http.ts';
import { encryptManifestValue, loadOrCreateAgentKey } from '../agent/secrets/index.ts';

const HOST = 'vault.nexus.localhost';
const COMMITTED = 'committed-Secret-7f3a9c21';
const STORED_V1 = 'stored-Secret-v1-5b8e2d44';
const STORED_V2 = 'stored-Secret-v2-91c0aa17';
const sha = (value: string) => createHash('sha256').update(value).digest('hex');

// The app answers /env/NAME with the sha256 of that variable (or "unset"): it shows a secret is set without printing it.
const SERVER_JS = `const http = require('node:http');
const crypto = require('node:crypto');
http.createServer((req, res) => {
  if (req.url === '/healthz') return res.end('ok');
  const name = (req.url.match(/^\\/env\\/([A-Z_]+)$/) || [])[1];
  const value = name && process.env[name];
  res.end(value === undefined ? 'unset' : crypto.createHash('sha256').update(value).digest('hex'));
}).listen(process.env.PORT);
`;
const DOCKERFILE = 'FROM node:20-bookworm-slim\nCOPY server.js /app/server.js\nCMD ["node", "/app/server.js"]\n';

function manifest(committedLine: string): string {
  return ['version: 1', 'apps:', '  vault:', '    port: 3000', `    domains: [${HOST}]`, '    health: { path: /healthz, timeout: 20s }', '    env:', '      PLAIN: visible',
    `      ${committedLine}`, '      STORED: { secret: STORED }', ''].join('\n');
}

const secrets = suite<{ h: Harness; committedLine: string; firstRelease: string }>('secrets');

secrets.before(async (context) => {
  context.h = await createHarness({ interval: '2s', drain: '300ms' });
  await context.h.startAgent();
});

secrets.after(async (context) => {
  await context.h?.cleanup();
});

async function envHash(h: Harness, name: string): Promise<string | undefined> {
  const response = await h.viaNginx(HOST, `/env/${name}`).catch(() => undefined);
  return response?.status === 200 ? response.body : undefined;
}

async function vault(h: Harness) {
  return (await h.status()).repos[0]?.apps.find((app) => app.name === 'vault');
}

secrets('nexus secret encrypt uses the agent key made on first start (mode 0600)', async (context) => {
  const { h } = context;
  const mode = (await import('node:fs/promises')).stat(path.join(h.dataDir, 'agent.key')).then((info) => info.mode & 0o777);
  assert.is(await mode, 0o600);
  const answer = await h.cli(['secret', 'encrypt', 'COMMITTED'], `${COMMITTED}\n`);
  assert.is(answer.code, 0, answer.stderr);
  assert.match(answer.stdout, /^COMMITTED: \{ encrypted: "-----BEGIN AGE ENCRYPTED FILE-----\\n.*-----END AGE ENCRYPTED FILE-----\\n" \}\n$/s);
  assert.not.ok(answer.stdout.includes(COMMITTED));
  context.committedLine = answer.stdout.trim();
});

secrets('an unset out-of-band secret holds the app with the command to run; once set, both secrets reach the container', async (context) => {
  const { h } = context;
  await h.push({ 'server.js': SERVER_JS, Dockerfile: DOCKERFILE, 'nexus.yaml': manifest(context.committedLine) }, 'vault v1');
  const held = await waitFor(async () => {
    const app = await vault(h);
    return app?.held ? app : undefined;
  }, { timeoutMs: 60_000, intervalMs: 250, what: 'vault held for its unset secret' });
  assert.match(held.held!, /secret STORED of app vault is not set — run `nexus secret set vault STORED`/);

  const set = await h.cli(['secret', 'set', 'vault', 'STORED'], STORED_V1);
  assert.is(set.code, 0, set.stderr);
  assert.not.ok(set.stdout.includes(STORED_V1));
  await waitFor(async () => (await envHash(h, 'STORED')) === sha(STORED_V1), { timeoutMs: 120_000, intervalMs: 250, what: 'the stored secret in the container' });
  assert.is(await waitFor(() => envHash(h, 'COMMITTED'), { timeoutMs: 10_000, intervalMs: 100, what: 'the committed secret' }), sha(COMMITTED));
  assert.is(await waitFor(() => envHash(h, 'PLAIN'), { timeoutMs: 10_000, intervalMs: 100, what: 'the plain value' }), sha('visible'));
  context.firstRelease = (await vault(h))!.release!;
});

secrets('setting the secret again makes a new release; rollback restores the old value', async ({ h, firstRelease }) => {
  assert.is((await h.cli(['secret', 'set', 'vault', 'STORED'], STORED_V2)).code, 0);
  await waitFor(async () => (await envHash(h, 'STORED')) === sha(STORED_V2), { timeoutMs: 120_000, intervalMs: 250, what: 'the new secret value in a new release' });
  assert.is.not((await vault(h))!.release, firstRelease);

  const rollback = await h.cli(['rollback', 'vault']);
  assert.is(rollback.code, 0, rollback.stderr);
  await waitFor(async () => (await envHash(h, 'STORED')) === sha(STORED_V1), { timeoutMs: 120_000, intervalMs: 250, what: 'the old secret value after rollback' });
});

secrets('no plain-text secret in logs, /status, /api answers, history or any file of the data folder', async ({ h }) => {
  const haystacks: Record<string, string> = {
    'agent log': await h.agentLog(),
    '/status': JSON.stringify(await h.status()),
    history: (await h.cli(['history', 'vault', '--json'])).stdout,
    plan: (await h.cli(['plan', '--json'])).stdout,
  };
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      // The git cache holds what was pushed (ciphertext only); searched too.
      if (entry.isDirectory()) await walk(file);
      else haystacks[path.relative(h.dataDir, file)] = (await readFile(file)).toString('latin1');
    }
  };
  await walk(h.dataDir);
  assert.ok(Object.keys(haystacks).some((name) => name === 'state.json'), 'state.json was searched');
  for (const [where, text] of Object.entries(haystacks)) {
    for (const secret of [COMMITTED, STORED_V1, STORED_V2]) {
      assert.not.ok(text.includes(secret), `${where} holds a secret in plain text`);
    }
  }
});

secrets('a value encrypted to another key: a clear error naming app and key, and the old release keeps serving', async ({ h }) => {
  const stranger = await mkdtemp(path.join(tmpdir(), 'nexus-stranger-'));
  try {
    const other = await loadOrCreateAgentKey(stranger);
    const foreign = await encryptManifestValue('foreign-value-123', other.recipient);
    const before = (await vault(h))!.release;
    await h.push({ 'server.js': SERVER_JS, Dockerfile: DOCKERFILE, 'nexus.yaml': manifest(`COMMITTED: { encrypted: ${JSON.stringify(foreign)} }`) }, 'vault: wrong key');
    const failed = await waitFor(async () => {
      const app = await vault(h);
      return app?.lastAttempt?.status === 'failed' ? app : undefined;
    }, { timeoutMs: 60_000, intervalMs: 250, what: 'the failed attempt' });
    assert.match(failed.lastAttempt!.message!, /app "vault", env COMMITTED: encrypted to a different key — re-encrypt it with `nexus secret encrypt` using this agent's public key age1/);
    assert.is(failed.release, before);
    assert.is(await envHash(h, 'STORED'), sha(STORED_V1));
  } finally {
    await rm(stranger, { recursive: true, force: true });
  }
});

secrets('a malformed encrypted value is a manifest error with file:line:column; nothing changes', async ({ h }) => {
  const before = (await vault(h))!.release;
  await h.push({ 'server.js': SERVER_JS, Dockerfile: DOCKERFILE, 'nexus.yaml': manifest('COMMITTED: { encrypted: "not age at all" }') }, 'vault: malformed');
  const repo = await waitFor(async () => {
    const current = (await h.status()).repos[0]!;
    return current.error ? current : undefined;
  }, { timeoutMs: 60_000, intervalMs: 250, what: 'the manifest error' });
  assert.match(repo.error!, /^nexus\.yaml:9:\d+: apps\.vault\.env\.COMMITTED/m);
  assert.is((await vault(h))!.release, before);
});

secrets.run();
