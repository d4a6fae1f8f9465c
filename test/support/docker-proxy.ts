/**
 * A counting proxy in front of the real Docker socket: the agent talks to
 * dockerd through it, and the test reads which API calls were made. Bytes
 * pass through untouched; request lines are recognised at the start of
 * each client chunk boundary-safe enough for the small API calls counted
 * here (build contexts are large bodies, but they only flow during builds).
 */
import net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface DockerCall { method: string; path: string; at: number }

export interface DockerProxy {
  socketPath: string;
  calls: DockerCall[];
  /** Calls that change something in Docker (anything but GET/HEAD). */
  mutating(since?: number): DockerCall[];
  close(): Promise<void>;
}

const REQUEST_LINE = /(?:^|\r\n)(GET|HEAD|POST|PUT|DELETE|PATCH) (\/[^ \r\n]*) HTTP\/1\.[01]\r\n/g;

export async function startDockerProxy(target = '/var/run/docker.sock'): Promise<DockerProxy> {
  const dir = await mkdtemp(path.join(tmpdir(), 'nexus-docker-proxy-'));
  const socketPath = path.join(dir, 'docker.sock');
  const calls: DockerCall[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      // Only the head of a chunk can hold request lines worth counting.
      const text = chunk.subarray(0, 8192).toString('latin1');
      for (const match of text.matchAll(REQUEST_LINE)) calls.push({ method: match[1]!, path: match[2]!, at: Date.now() });
    });
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    socketPath,
    calls,
    mutating: (since = 0) => calls.filter((call) => call.at >= since && call.method !== 'GET' && call.method !== 'HEAD'),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
