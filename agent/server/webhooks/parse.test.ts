/** What each forge's deliveries mean, read from fixtures modelled on the real payloads. */
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { WebhookProvider } from './headers.ts';
import { parseDelivery, type Delivery } from './parse.ts';

type Payload = Record<string, unknown>;
const fixture = (name: string): Payload => JSON.parse(readFileSync(new URL(`fixtures/${name}.json`, import.meta.url), 'utf8'));
const ZEROS = '0000000000000000000000000000000000000000';
const HEAD = '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c';

const GITHUB_URLS = ['https://github.com/acme/shop.git', 'https://github.com/acme/shop', 'git@github.com:acme/shop.git', 'git://github.com/acme/shop.git'];
const GITEA_URLS = ['http://git.example.com:3000/acme/shop.git', 'http://git.example.com:3000/acme/shop', 'ssh://git@git.example.com:2222/acme/shop.git', 'http://git.example.com:3000/api/v1/repos/acme/shop'];
const GITLAB_URLS = ['https://gitlab.example.com/acme/platform/shop.git', 'git@gitlab.example.com:acme/platform/shop.git', 'https://gitlab.example.com/acme/platform/shop'];

const github = (event: string, delivery = 'd1b6c0f0-08a4-11ef-8f4e-3c3b8d1b7a10') => ({ 'x-github-event': event, 'x-github-delivery': delivery });
const gitea = (event: string) => ({ 'X-Gitea-Event': event, 'X-Gitea-Event-Type': event, 'X-Gitea-Delivery': 'f6266f16-1bf3-46a5-9ea4-602e06ead473', 'X-GitHub-Event': event, 'X-GitHub-Delivery': 'f6266f16-1bf3-46a5-9ea4-602e06ead473' });
const gitlab = (event: string) => ({ 'X-Gitlab-Event': event, 'X-Gitlab-Event-UUID': '13792a34-cac6-4fda-95a8-c58e00a3954e', 'X-Gitlab-Instance': 'https://gitlab.example.com' });

test('GitHub push to a branch', () => {
  assert.equal(parseDelivery('github', github('push'), fixture('github-push')), {
    kind: 'push', deliveryId: 'd1b6c0f0-08a4-11ef-8f4e-3c3b8d1b7a10', repoUrls: GITHUB_URLS, branch: 'main', after: HEAD, deleted: false,
  });
});

test('GitHub tag push, branch deletion and a branch name with slashes', () => {
  assert.equal(parseDelivery('github', github('push', 'd2'), fixture('github-push-tag')), { kind: 'tag', deliveryId: 'd2', repoUrls: GITHUB_URLS, tag: 'v1.4.0', deleted: false });
  assert.equal(parseDelivery('github', github('push', 'd3'), fixture('github-push-branch-deleted')), {
    kind: 'push', deliveryId: 'd3', repoUrls: GITHUB_URLS, branch: 'feature/checkout', after: ZEROS, deleted: true,
  });
  const tagDeleted = { ...fixture('github-push-tag'), after: ZEROS, deleted: true, created: false };
  assert.equal(parseDelivery('github', github('push', 'd4'), tagDeleted), { kind: 'tag', deliveryId: 'd4', repoUrls: GITHUB_URLS, tag: 'v1.4.0', deleted: true });
});

test('GitHub ping names the repository (and nothing for an organisation hook)', () => {
  const ping = fixture('github-ping');
  assert.equal(parseDelivery('github', github('ping', 'p1'), ping), {
    kind: 'ping', deliveryId: 'p1', repoUrls: ['https://github.com/acme/shop.git', 'https://github.com/acme/shop', 'git@github.com:acme/shop.git', 'git://github.com/acme/shop.git', 'https://api.github.com/repos/acme/shop'],
  });
  const { repository: _, ...organisationPing } = ping;
  assert.equal(parseDelivery('github', github('ping', 'p2'), organisationPing), { kind: 'ping', deliveryId: 'p2', repoUrls: [] });
});

test('other GitHub events and refs are ignored, not malformed', () => {
  assert.equal(parseDelivery('github', github('pull_request', 'r1'), fixture('github-pull-request')), { kind: 'ignored', deliveryId: 'r1', event: 'pull_request' });
  assert.equal(parseDelivery('github', github('issues', 'r2'), { action: 'opened' }), { kind: 'ignored', deliveryId: 'r2', event: 'issues' });
  const notes = { ...fixture('github-push'), ref: 'refs/notes/commits' };
  assert.equal(parseDelivery('github', github('push', 'r3'), notes), { kind: 'ignored', deliveryId: 'r3', event: 'push to refs/notes/commits' });
});

test('Gitea push: its own headers first; Forgejo headers and SHA-256 ids work too', () => {
  const push = fixture('gitea-push');
  assert.equal(parseDelivery('gitea', gitea('push'), push), {
    kind: 'push', deliveryId: 'f6266f16-1bf3-46a5-9ea4-602e06ead473', repoUrls: GITEA_URLS, branch: 'main', after: HEAD, deleted: false,
  });
  const sha256 = 'A'.repeat(64);
  assert.equal(parseDelivery('gitea', { 'X-Forgejo-Event': 'push', 'X-Forgejo-Delivery': 'fj-1' }, { ...push, ref: 'refs/heads/dev', after: sha256 }), {
    kind: 'push', deliveryId: 'fj-1', repoUrls: GITEA_URLS, branch: 'dev', after: 'a'.repeat(64), deleted: false,
  });
  assert.equal(parseDelivery('gitea', gitea('push'), { ...push, ref: 'refs/tags/v2' }), { kind: 'tag', deliveryId: 'f6266f16-1bf3-46a5-9ea4-602e06ead473', repoUrls: GITEA_URLS, tag: 'v2', deleted: false });
  // Gitea's push payload has no "deleted" flag: all zeros says it.
  const gone = parseDelivery('gitea', gitea('push'), { ...push, after: ZEROS, commits: [], head_commit: null });
  assert.is(gone.kind === 'push' && gone.deleted, true);
  assert.equal(parseDelivery('gitea', gitea('create'), { ref: 'v2', ref_type: 'tag' }), { kind: 'ignored', deliveryId: 'f6266f16-1bf3-46a5-9ea4-602e06ead473', event: 'create' });
  // The "Test Delivery" button sends a push, which is what Nexus needs to answer.
  const { 'X-Gitea-Delivery': _, 'X-GitHub-Delivery': __, ...noId } = gitea('push');
  assert.equal(parseDelivery('gitea', noId, push), { kind: 'push', repoUrls: GITEA_URLS, branch: 'main', after: HEAD, deleted: false });
});

test('GitLab Push Hook, Tag Push Hook and a deleted branch', () => {
  const push = fixture('gitlab-push');
  assert.equal(parseDelivery('gitlab', gitlab('Push Hook'), push), {
    kind: 'push', deliveryId: '13792a34-cac6-4fda-95a8-c58e00a3954e', repoUrls: GITLAB_URLS, branch: 'main', after: HEAD, deleted: false,
  });
  assert.equal(parseDelivery('gitlab', gitlab('Tag Push Hook'), fixture('gitlab-tag-push')), {
    kind: 'tag', deliveryId: '13792a34-cac6-4fda-95a8-c58e00a3954e', repoUrls: GITLAB_URLS, tag: 'v1.4.0', deleted: false,
  });
  const deleted = { ...push, after: ZEROS, checkout_sha: null, commits: [], total_commits_count: 0 };
  assert.equal(parseDelivery('gitlab', gitlab('Push Hook'), deleted), {
    kind: 'push', deliveryId: '13792a34-cac6-4fda-95a8-c58e00a3954e', repoUrls: GITLAB_URLS, branch: 'main', after: ZEROS, deleted: true,
  });
});

test('GitLab: Idempotency-Key (stable across retries) is preferred as the delivery id', () => {
  const delivery = parseDelivery('gitlab', { ...gitlab('Push Hook'), 'Idempotency-Key': '908a6d9e-45fd-46c8-97e6-c4f350f219dd' }, fixture('gitlab-push'));
  assert.is(delivery.kind === 'push' && delivery.deliveryId, '908a6d9e-45fd-46c8-97e6-c4f350f219dd');
});

test('GitLab System Hook: pushes count, other system events are ignored', () => {
  const viaSystem = parseDelivery('gitlab', gitlab('System Hook'), fixture('gitlab-push'));
  assert.is(viaSystem.kind === 'push' && viaSystem.branch, 'main');
  const tagViaSystem = parseDelivery('gitlab', gitlab('System Hook'), fixture('gitlab-tag-push'));
  assert.is(tagViaSystem.kind === 'tag' && tagViaSystem.tag, 'v1.4.0');
  assert.equal(parseDelivery('gitlab', gitlab('System Hook'), fixture('gitlab-system-hook-repository-update')), {
    kind: 'ignored', deliveryId: '13792a34-cac6-4fda-95a8-c58e00a3954e', event: 'System Hook (repository_update)',
  });
  assert.equal(parseDelivery('gitlab', gitlab('Merge Request Hook'), { object_kind: 'merge_request' }), {
    kind: 'ignored', deliveryId: '13792a34-cac6-4fda-95a8-c58e00a3954e', event: 'Merge Request Hook',
  });
});

test('malformed deliveries say what is missing', () => {
  const push = fixture('github-push');
  const cases: [string, WebhookProvider, Record<string, string>, unknown, Delivery][] = [
    ['no event header', 'github', { 'X-GitHub-Delivery': 'x' }, push, { kind: 'malformed', reason: 'missing X-GitHub-Event header' }],
    ['no GitLab event header', 'gitlab', { 'X-Gitlab-Token': 't' }, fixture('gitlab-push'), { kind: 'malformed', reason: 'missing X-Gitlab-Event header' }],
    ['a JSON array', 'github', github('push'), [push], { kind: 'malformed', reason: 'body is not a JSON object (is the webhook content type application/json?)' }],
    ['a form-encoded body left as a string', 'github', github('push'), 'payload=%7B%7D', { kind: 'malformed', reason: 'body is not a JSON object (is the webhook content type application/json?)' }],
    ['null', 'github', github('ping'), null, { kind: 'malformed', reason: 'body is not a JSON object (is the webhook content type application/json?)' }],
    ['no ref', 'github', github('push'), { ...push, ref: undefined }, { kind: 'malformed', reason: 'push has no "ref"' }],
    ['ref not a string', 'github', github('push'), { ...push, ref: 7 }, { kind: 'malformed', reason: 'push has no "ref"' }],
    ['no after', 'github', github('push'), { ...push, after: undefined }, { kind: 'malformed', reason: 'push has no valid "after" commit id' }],
    ['short after', 'github', github('push'), { ...push, after: '0d1a26e' }, { kind: 'malformed', reason: 'push has no valid "after" commit id' }],
    ['no repository', 'github', github('push'), { ...push, repository: undefined }, { kind: 'malformed', reason: 'push names no repository URL' }],
    ['repository without URLs', 'github', github('push'), { ...push, repository: { full_name: 'acme/shop', clone_url: '' } }, { kind: 'malformed', reason: 'push names no repository URL' }],
    ['GitLab without project', 'gitlab', gitlab('Push Hook'), { ...fixture('gitlab-push'), project: undefined, repository: undefined }, { kind: 'malformed', reason: 'push names no repository URL' }],
    ['empty branch', 'github', github('push'), { ...push, ref: 'refs/heads/' }, { kind: 'malformed', reason: 'push "ref" names no branch' }],
    ['empty tag', 'github', github('push'), { ...push, ref: 'refs/tags/' }, { kind: 'malformed', reason: 'push "ref" names no tag' }],
  ];
  for (const [name, provider, headers, body, expected] of cases) {
    assert.equal(parseDelivery(provider, headers, body), expected, name);
  }
});

test.run();
