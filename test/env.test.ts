/**
 * Proves the test environment itself works against the real services: git
 * smart HTTP, a private nginx, and the locally made node image.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pushFolder, removeWorkClones, runGit } from './support/git-push.ts';
import { startGitServer, withToken } from './support/git-server.ts';
import { httpGet, waitFor } from './support/http.ts';
import { startNginx } from './support/nginx.ts';

function run(argv: string[]): Promise<string> {
  const [cmd, ...args] = argv as [string, ...string[]];
  return new Promise((resolve, reject) => {
    execFile(cmd, args, (err, stdout, stderr) => {
      if (err) reject(new Error(`${argv.join(' ')} failed: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

test('git server: real git push, then git clone returns the pushed files', async () => {
  const git = await startGitServer();
  const cloneDir = await mkdtemp(path.join(tmpdir(), 'nexus-clone-'));
  try {
    const remote = await git.createRepo('app');
    assert.is(remote, `${git.url}/app.git`);
    const first = await pushFolder({ remote, files: { 'nexus.yaml': 'name: app\n', 'old.txt': 'x' }, message: 'first' });
    const second = await pushFolder({ remote, files: { 'nexus.yaml': 'name: app\nport: 3000\n' }, message: 'second' });
    assert.match(second, /^[0-9a-f]{40}$/);
    assert.is.not(first, second);

    await runGit(['-c', 'protocol.version=2', 'clone', '--quiet', remote, cloneDir]);
    assert.is(await readFile(path.join(cloneDir, 'nexus.yaml'), 'utf8'), 'name: app\nport: 3000\n');
    // The second push replaced the tree, as a fast-forward on main.
    assert.is((await runGit(['ls-files'], { cwd: cloneDir })).trim(), 'nexus.yaml');
    assert.is((await runGit(['rev-list', 'main'], { cwd: cloneDir })).trim(), `${second}\n${first}`);
  } finally {
    await removeWorkClones();
    await rm(cloneDir, { recursive: true, force: true });
    await git.close();
  }
});

test('git server: with a token, push needs the credentials', async () => {
  const git = await startGitServer({ token: 's3cret' });
  try {
    const remote = await git.createRepo('private');
    const anonymous = await pushFolder({ remote, files: { a: '1' }, message: 'anon' }).catch((err: Error) => err);
    assert.instance(anonymous, Error);
    assert.match((anonymous as Error).message, /could not read Username|Authentication failed|401/);
    const wrong = await pushFolder({ remote: withToken(remote, 'nope'), files: { a: '1' }, message: 'wrong' }).catch(
      (err: Error) => err,
    );
    assert.instance(wrong, Error);

    const sha = await pushFolder({ remote: withToken(remote, 's3cret'), files: { a: '1' }, message: 'ok' });
    const refs = await runGit(['ls-remote', withToken(remote, 's3cret'), 'refs/heads/main']);
    assert.is(refs.split('\t')[0], sha);
  } finally {
    await removeWorkClones();
    await git.close();
  }
});

test('nginx: private instance passes nginx -t and proxies a new site after reload', async () => {
  const upstream = http.createServer((_req, res) => res.end('hello from upstream'));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const upstreamPort = (upstream.address() as AddressInfo).port;
  const nginx = await startNginx();
  try {
    await run(nginx.testCommand);
    const url = `http://127.0.0.1:${nginx.port}/`;
    assert.is((await httpGet(url, { host: 'app.test' })).status, 404);

    await writeFile(
      path.join(nginx.sitesDir, 'app.conf'),
      `server {\n  listen 127.0.0.1:${nginx.port};\n  server_name app.test;\n` +
        `  location / { proxy_pass http://127.0.0.1:${upstreamPort}; }\n}\n`,
    );
    await run(nginx.testCommand);
    await run(nginx.reloadCommand);
    // Reload is asynchronous: old workers answer until the new ones take over.
    const res = await waitFor(
      async () => {
        const r = await httpGet(url, { host: 'app.test', timeoutMs: 2000 });
        return r.status === 200 ? r : undefined;
      },
      { timeoutMs: 10_000, what: 'nginx to proxy app.test after reload' },
    );
    assert.is(res.body, 'hello from upstream');
    // Other host names still hit the default server.
    assert.is((await httpGet(url, { host: 'other.test' })).status, 404);
  } finally {
    await nginx.stop();
    upstream.close();
  }
});

test('docker: the local node:20-bookworm-slim image runs node and trusts the host CAs', async () => {
  const out = await run([
    'docker', 'run', '--rm', 'node:20-bookworm-slim',
    'node', '-e', 'console.log(6 * 7, require("fs").existsSync(process.env.NODE_EXTRA_CA_CERTS))',
  ]);
  assert.is(out.trim(), '42 true');
});

test.run();
