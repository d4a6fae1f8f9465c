/** The whole core as the HTTP route will use it: raw bytes in, names of repos to sync out. */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDeliveryMemory, matchRepos, parseDelivery, verifyDelivery, type WebhookProvider } from './index.ts';

const SECRET = 'webhook-secret';
const configured = [
  { name: 'shop', url: 'https://github.com/acme/shop.git' },
  { name: 'shop-gitea', url: 'http://git.example.com:3000/acme/shop.git' },
  { name: 'shop-gitlab', url: 'https://gitlab.example.com/acme/platform/shop' },
  { name: 'shop-copy', url: 'https://github.com/acme/shop-copy.git' },
];

/** What the route does: verify, parse, drop repeats, match. */
function handle(provider: WebhookProvider, headers: Record<string, string>, raw: Uint8Array, memory = createDeliveryMemory()): string[] | string {
  const verified = verifyDelivery(provider, headers, raw, SECRET);
  if (!verified.ok) return verified.reason;
  const delivery = parseDelivery(provider, headers, JSON.parse(new TextDecoder().decode(raw)));
  if (delivery.kind === 'malformed' || delivery.kind === 'ignored') return delivery.kind;
  if (delivery.deliveryId !== undefined && memory.seen(delivery.deliveryId)) return 'repeat';
  return matchRepos(delivery.repoUrls, configured);
}

const raw = (name: string) => readFileSync(new URL(`fixtures/${name}.json`, import.meta.url));
const sign = (bytes: Uint8Array) => createHmac('sha256', SECRET).update(bytes).digest('hex');

test('each forge push reaches exactly its repo; a redelivery is a repeat', () => {
  const github = raw('github-push');
  const githubHeaders = { 'x-github-event': 'push', 'x-github-delivery': 'g1', 'x-hub-signature-256': `sha256=${sign(github)}` };
  const memory = createDeliveryMemory();
  assert.equal(handle('github', githubHeaders, github, memory), ['shop']);
  assert.is(handle('github', githubHeaders, github, memory), 'repeat');

  const gitea = raw('gitea-push');
  assert.equal(handle('gitea', { 'x-gitea-event': 'push', 'x-gitea-delivery': 'e1', 'x-gitea-signature': sign(gitea) }, gitea), ['shop-gitea']);

  const gitlab = raw('gitlab-push');
  assert.equal(handle('gitlab', { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': SECRET }, gitlab), ['shop-gitlab']);
});

test('a forged or unsigned delivery stops before parsing', () => {
  const github = raw('github-push');
  assert.is(handle('github', { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }, github), 'signature mismatch');
  assert.is(handle('gitlab', { 'x-gitlab-event': 'Push Hook' }, raw('gitlab-push')), 'missing X-Gitlab-Token header (is a secret token set on the webhook?)');
});

test.run();
