import { headerReader, type WebhookProvider } from './headers.ts';

/**
 * What a verified webhook delivery asks of Nexus. `repoUrls` is every URL
 * the payload gives for the repository (give them to `matchRepos`);
 * `deliveryId` is the forge's id for de-duplication, when it sends one.
 */
export type Delivery =
  | { kind: 'ping'; deliveryId?: string; repoUrls: string[] }
  | { kind: 'push'; deliveryId?: string; repoUrls: string[]; branch: string; after: string; deleted: boolean }
  | { kind: 'tag'; deliveryId?: string; repoUrls: string[]; tag: string; deleted: boolean }
  | { kind: 'ignored'; deliveryId?: string; event: string }
  | { kind: 'malformed'; reason: string };

/** Headers naming the event, first present wins. Gitea also sends X-GitHub-Event; its own header is preferred. */
const EVENT_HEADERS: Record<WebhookProvider, string[]> = {
  github: ['X-GitHub-Event'],
  gitea: ['X-Gitea-Event', 'X-Forgejo-Event', 'X-GitHub-Event'],
  gitlab: ['X-Gitlab-Event'],
};

/**
 * Headers carrying the delivery id. GitLab's Idempotency-Key (17.4+) stays
 * the same across retries, so it comes before X-Gitlab-Event-UUID.
 */
const DELIVERY_HEADERS: Record<WebhookProvider, string[]> = {
  github: ['X-GitHub-Delivery'],
  gitea: ['X-Gitea-Delivery', 'X-Forgejo-Delivery', 'X-GitHub-Delivery'],
  gitlab: ['Idempotency-Key', 'X-Gitlab-Event-UUID'],
};

/** GitHub and Gitea share the repository object of the push payload. */
const GITHUB_URL_FIELDS = ['clone_url', 'html_url', 'ssh_url', 'git_url', 'url'];
const GITLAB_PROJECT_URL_FIELDS = ['git_http_url', 'git_ssh_url', 'web_url', 'http_url', 'ssh_url', 'url', 'homepage'];
const GITLAB_REPOSITORY_URL_FIELDS = ['git_http_url', 'git_ssh_url', 'url', 'homepage'];

/** A commit id: SHA-1, or SHA-256 for repositories in that object format. */
const COMMIT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

type DeliveryId = { deliveryId?: string };
type Payload = Record<string, unknown>;

/**
 * Reads what a delivery is about from its headers and parsed JSON body.
 * Only push and ping matter to Nexus; other events come back `ignored`,
 * and a push without the fields a sync needs comes back `malformed` with
 * a reason fit for the HTTP answer. Call it after `verifyDelivery`.
 */
export function parseDelivery(provider: WebhookProvider, headers: Record<string, string | undefined>, body: unknown): Delivery {
  const header = headerReader(headers);
  const eventHeader = EVENT_HEADERS[provider].find((name) => header(name) !== undefined);
  if (eventHeader === undefined) return malformed(`missing ${EVENT_HEADERS[provider][0]} header`);
  const event = header(eventHeader)!;
  if (!isPayload(body)) return malformed('body is not a JSON object (is the webhook content type application/json?)');
  const deliveryId = DELIVERY_HEADERS[provider].map(header).find((value) => value !== undefined);
  const id: DeliveryId = deliveryId === undefined ? {} : { deliveryId };
  return provider === 'gitlab' ? parseGitLab(event, body, id) : parseGitHubLike(event, body, id);
}

/** GitHub, Gitea and Forgejo: event names are lower-case (`push`, `ping`, `pull_request`). */
function parseGitHubLike(event: string, body: Payload, id: DeliveryId): Delivery {
  const repoUrls = urlsOf(body.repository, GITHUB_URL_FIELDS);
  // A ping of an organisation hook names no repository: still a ping.
  if (event === 'ping') return { kind: 'ping', ...id, repoUrls };
  if (event === 'push') return parsePush(body, repoUrls, id, body.deleted === true);
  return { kind: 'ignored', ...id, event };
}

/**
 * GitLab: `Push Hook`, `Tag Push Hook`, or `System Hook` whose body is a
 * push (`object_kind` push or tag_push); GitLab has no ping. Its "Test"
 * button resends the last push as a Push Hook.
 */
function parseGitLab(event: string, body: Payload, id: DeliveryId): Delivery {
  const isPushBody = body.object_kind === 'push' || body.object_kind === 'tag_push';
  if (event === 'Push Hook' || event === 'Tag Push Hook' || (event === 'System Hook' && isPushBody)) {
    const repoUrls = [...new Set([...urlsOf(body.project, GITLAB_PROJECT_URL_FIELDS), ...urlsOf(body.repository, GITLAB_REPOSITORY_URL_FIELDS)])];
    return parsePush(body, repoUrls, id, false);
  }
  if (event === 'System Hook') {
    const kind = stringOf(body.event_name) ?? stringOf(body.object_kind) ?? 'unknown';
    return { kind: 'ignored', ...id, event: `System Hook (${kind})` };
  }
  return { kind: 'ignored', ...id, event };
}

/** The fields every forge's push shares: `ref`, `after` (all zeros once the ref is gone) and the repository. */
function parsePush(body: Payload, repoUrls: string[], id: DeliveryId, deletedFlag: boolean): Delivery {
  const ref = stringOf(body.ref);
  if (ref === undefined) return malformed('push has no "ref"');
  const after = stringOf(body.after);
  if (after === undefined || !COMMIT_ID.test(after)) return malformed('push has no valid "after" commit id');
  if (repoUrls.length === 0) return malformed('push names no repository URL');
  const deleted = deletedFlag || /^0+$/.test(after);
  if (ref.startsWith('refs/heads/')) {
    const branch = ref.slice('refs/heads/'.length);
    if (branch === '') return malformed('push "ref" names no branch');
    return { kind: 'push', ...id, repoUrls, branch, after: after.toLowerCase(), deleted };
  }
  if (ref.startsWith('refs/tags/')) {
    const tag = ref.slice('refs/tags/'.length);
    if (tag === '') return malformed('push "ref" names no tag');
    return { kind: 'tag', ...id, repoUrls, tag, deleted };
  }
  // Notes, pull-request refs and other namespaces deploy nothing.
  return { kind: 'ignored', ...id, event: `push to ${ref}` };
}

/** The non-empty string values of `fields` in `value`, once each. */
function urlsOf(value: unknown, fields: string[]): string[] {
  if (!isPayload(value)) return [];
  const urls = fields.map((field) => stringOf(value[field])).filter((url) => url !== undefined);
  return [...new Set(urls)];
}

const stringOf = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
const isPayload = (value: unknown): value is Payload => typeof value === 'object' && value !== null && !Array.isArray(value);
const malformed = (reason: string): Delivery => ({ kind: 'malformed', reason });
