import type { Logger } from '../../log/index.ts';
import type { WebhookProvider } from './headers.ts';
import { createDeliveryMemory } from './dedupe.ts';
import { matchRepos } from './match.ts';
import { parseDelivery } from './parse.ts';
import { verifyDelivery } from './verify.ts';

/** A watched repo as webhooks see it; `secret` is read from the agent's environment (webhook.secretEnv). */
export interface WebhookRepo {
  name: string;
  url: string;
  branch: string;
  secret?: string;
}

export interface WebhookDeps {
  repos(): WebhookRepo[];
  /** Asks for a sync of these repos (coalesced with others); returns the job id at once. */
  startJob(repos: string[], trigger: { provider: WebhookProvider; delivery?: string }): string;
  log: Logger;
}

export interface WebhookAnswer {
  status: 200 | 202 | 400 | 401 | 404;
  body: Record<string, unknown>;
}

/**
 * The webhook route's logic: a push is only a hint — it names a repo and a
 * branch, and the agent fetches and reconciles that repo as a poll would.
 * Order: read the body, find the watched repos its URLs name (whole path),
 * check the signature with each one's secret, forget repeats, then act.
 */
export function createWebhookHandler(deps: WebhookDeps): (provider: WebhookProvider, headers: Record<string, string | undefined>, raw: Uint8Array) => WebhookAnswer {
  const deliveries = createDeliveryMemory();

  return function handleWebhook(provider, headers, raw) {
    const refuse = (status: WebhookAnswer['status'], reason: string, fields: Record<string, unknown> = {}): WebhookAnswer => {
      deps.log.warn('webhook refused', { provider, status, reason, ...fields });
      return { status, body: { error: reason } };
    };
    let body: unknown;
    try {
      body = JSON.parse(Buffer.from(raw).toString('utf8'));
    } catch {
      return refuse(400, 'the body is not JSON — set the webhook content type to application/json');
    }
    const delivery = parseDelivery(provider, headers, body);
    if (delivery.kind === 'malformed') return refuse(400, delivery.reason);

    // Which repos may have sent it: those its URLs name; an event without repo URLs (an org ping, an ignored event) is checked against all.
    const repos = deps.repos();
    const urls = 'repoUrls' in delivery ? delivery.repoUrls : [];
    const named = urls.length > 0 ? matchRepos(urls, repos) : repos.map((repo) => repo.name);
    if (named.length === 0) return refuse(404, `no watched repo has the URL ${urls[0] ?? '(none given)'} — add it to the agent config, or check the webhook's repository`, { urls: urls.slice(0, 3).join(' ') });
    const candidates = repos.filter((repo) => named.includes(repo.name));
    const withSecret = candidates.filter((repo) => repo.secret);
    if (withSecret.length === 0) return refuse(401, `repo ${candidates.map((repo) => repo.name).join(', ')} has no webhook secret — set webhook.secretEnv in the agent config and the variable in the agent's environment`);
    const reasons: string[] = [];
    const verified = withSecret.filter((repo) => {
      const result = verifyDelivery(provider, headers, raw, repo.secret!);
      if (!result.ok) reasons.push(result.reason);
      return result.ok;
    });
    if (verified.length === 0) return refuse(401, `${reasons[0] ?? 'signature mismatch'} — the webhook's secret must be the one in the agent's environment for this repo`, { repos: named.join(',') });

    if (delivery.deliveryId && deliveries.seen(`${provider}:${delivery.deliveryId}`)) {
      return { status: 200, body: { ignored: 'this delivery was already received', delivery: delivery.deliveryId } };
    }
    const names = verified.map((repo) => repo.name);
    switch (delivery.kind) {
      case 'ping':
        return { status: 200, body: { ok: true, repos: names } };
      case 'ignored':
        return { status: 200, body: { ignored: `${delivery.event} events are not acted on; only pushes to a watched branch are`, repos: names } };
      case 'tag':
        return { status: 200, body: { ignored: `tag ${delivery.tag}: tags are not deployed, only the watched branch`, repos: names } };
      case 'push': {
        if (delivery.deleted) return { status: 200, body: { ignored: `branch ${delivery.branch} was deleted`, repos: names } };
        const watching = verified.filter((repo) => repo.branch === delivery.branch).map((repo) => repo.name);
        if (watching.length === 0) return { status: 200, body: { ignored: `push to ${delivery.branch}; ${names.join(', ')} ${names.length > 1 ? 'watch other branches' : `watches ${verified[0]!.branch}`}`, repos: names } };
        const job = deps.startJob(watching, { provider, delivery: delivery.deliveryId });
        deps.log.info('webhook accepted', { provider, repos: watching.join(','), branch: delivery.branch, revision: delivery.after, job });
        return { status: 202, body: { job, repos: watching, revision: delivery.after } };
      }
    }
  };
}
