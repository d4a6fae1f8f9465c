/**
 * The quick-start demo: everything Nexus needs on one host, on loopback.
 * Starts a real git smart-HTTP server, a private nginx and the Nexus agent
 * as its own process, pushes examples/hello with the real `git`, waits for
 * the app to be served through nginx and prints its live URL. It keeps
 * running (the agent keeps reconciling) until Ctrl-C, then removes what it
 * made: containers, images, nginx, git server and data folder.
 *
 *   npm run demo
 */
import { randomBytes } from 'node:crypto';
import { createHarness, helloFiles } from './support/agent-harness.ts';
import { waitFor } from './support/http.ts';

const HOST = 'hello.nexus.localhost';
const h = await createHarness({ name: `demo${randomBytes(2).toString('hex')}`, interval: '5s', drain: '2s' });
let stopping = false;
const shutdown = async (code: number) => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping: removing the demo containers, images, nginx and git server...');
  await h.cleanup();
  process.exit(code);
};
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  await h.startAgent();
  console.log(`Agent running; status at ${h.statusUrl}/status`);
  const sha = await h.push(await helloFiles(), 'examples/hello');
  console.log(`Pushed examples/hello (${sha.slice(0, 12)}) to ${h.remote}; waiting for the agent to build and deploy it...`);
  const answer = await waitFor(async () => {
    const response = await h.viaNginx(HOST).catch(() => undefined);
    return response?.status === 200 ? response : undefined;
  }, { timeoutMs: 300_000, intervalMs: 500, what: `nginx to serve ${HOST}` });
  const url = `http://${HOST}:${h.nginx.port}/`;
  console.log(`\nLive: ${url}`);
  console.log(`      (curl resolves *.localhost to loopback; or: curl -H 'Host: ${HOST}' http://127.0.0.1:${h.nginx.port}/)`);
  console.log(`Answer: ${answer.body.trim()}`);
  console.log(`Agent log: ${h.dataDir}/agent.log. Press Ctrl-C to stop and clean up.`);
  if (process.env.NEXUS_DEMO_EXIT) await shutdown(0);
} catch (error) {
  console.error(`Demo failed: ${error instanceof Error ? error.message : String(error)}`);
  console.error((await h.agentLog()).split('\n').slice(-30).join('\n'));
  await shutdown(1);
}
