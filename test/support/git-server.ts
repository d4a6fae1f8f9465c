/**
 * A real git smart-HTTP server for integration tests: a tiny node:http server
 * on 127.0.0.1 that runs git's own `git-http-backend` as a CGI program, so
 * clients (the git CLI, isomorphic-git) talk to the same code a real forge runs.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runGit } from './git-push.ts';

const HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';

export interface GitServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`; repos live at `<url>/<name>.git`. */
  url: string;
  /** Folder holding the bare repositories (GIT_PROJECT_ROOT). */
  root: string;
  /** Creates the bare repo `<root>/<name>.git` (branch `main`, push allowed); returns its clone URL. */
  createRepo(name: string): Promise<string>;
  /** Stops the server and removes `root`. */
  close(): Promise<void>;
}

export interface GitServerOptions {
  /** When set, every request needs HTTP basic auth with this password (any user name). */
  token?: string;
}

/** Starts a git smart-HTTP server on a random loopback port with a fresh temp root. */
export async function startGitServer(opts: GitServerOptions = {}): Promise<GitServer> {
  const root = await mkdtemp(path.join(tmpdir(), 'nexus-git-'));
  const server = http.createServer(function handleGitRequest(req, res) {
    const user = opts.token === undefined ? 'anonymous' : authorizedUser(req, opts.token);
    if (user === undefined) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="nexus-test"', 'Content-Type': 'text/plain' });
      res.end('authentication required\n');
      return;
    }
    runCgi(req, res, root, user);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    root,
    async createRepo(name) {
      const dir = path.join(root, `${name}.git`);
      await runGit(['init', '--quiet', '--bare', '-b', 'main', dir]);
      // git-http-backend refuses anonymous pushes unless this is set explicitly.
      await runGit(['config', 'http.receivepack', 'true'], { cwd: dir });
      return `${url}/${name}.git`;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Returns a copy of `url` with basic-auth credentials in it, as a user would paste into git. */
export function withToken(url: string, token: string, user = 'nexus'): string {
  const u = new URL(url);
  u.username = user;
  u.password = token;
  return u.toString();
}

/** The user name if the request carries basic auth with password `token`, else undefined. */
function authorizedUser(req: http.IncomingMessage, token: string): string | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0 || decoded.slice(colon + 1) !== token) return undefined;
  return decoded.slice(0, colon) || 'token';
}

/** Runs git-http-backend for one request (CGI/1.1): request body in, headers + body out. */
function runCgi(req: http.IncomingMessage, res: http.ServerResponse, root: string, user: string): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    REMOTE_USER: user,
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
  };
  const h = req.headers;
  if (h['content-type']) env.CONTENT_TYPE = h['content-type'];
  // Without CONTENT_LENGTH (chunked uploads) the backend reads until EOF.
  if (h['content-length']) env.CONTENT_LENGTH = h['content-length'];
  // git gzips large request bodies; the backend inflates them only if told.
  if (h['content-encoding']) env.HTTP_CONTENT_ENCODING = h['content-encoding'];
  // Protocol v2 is negotiated through this header, passed on as GIT_PROTOCOL.
  const gitProtocol = h['git-protocol'];
  if (typeof gitProtocol === 'string') env.GIT_PROTOCOL = gitProtocol;

  const child = spawn(HTTP_BACKEND, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.on('error', (err) => fail(`cannot run ${HTTP_BACKEND}: ${err.message}`));
  child.stdin.on('error', () => {}); // the backend may exit before reading everything
  req.pipe(child.stdin);
  res.on('close', () => {
    if (child.exitCode === null) child.kill();
  });

  // The CGI output is "Header: value" lines, a blank line, then the body.
  let head = Buffer.alloc(0);
  let headersSent = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersSent) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = findHeaderEnd(head);
    if (!end) return;
    writeCgiHead(res, head.subarray(0, end.at).toString('latin1'));
    headersSent = true;
    const rest = head.subarray(end.at + end.length);
    if (rest.length) res.write(rest);
  });
  child.stdout.on('end', () => {
    if (!headersSent) fail(`git-http-backend sent no headers (exit ${child.exitCode}): ${stderr.trim()}`);
    else res.end();
  });

  function fail(message: string): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end(`${message}\n`);
  }
}

function findHeaderEnd(buf: Buffer): { at: number; length: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, length: 4 };
  if (lf >= 0) return { at: lf, length: 2 };
  return undefined;
}

/** Sends the CGI header block as the HTTP status line and headers. */
function writeCgiHead(res: http.ServerResponse, block: string): void {
  let status = 200;
  let reason: string | undefined;
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') {
      const m = /^(\d{3})\s*(.*)$/.exec(value);
      if (m?.[1]) {
        status = Number(m[1]);
        reason = m[2] || undefined;
      }
    } else {
      res.appendHeader(name, value);
    }
  }
  res.statusCode = status;
  if (reason) res.statusMessage = reason;
  res.flushHeaders();
}
