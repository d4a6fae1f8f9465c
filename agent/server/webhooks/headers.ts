/** The forges whose push webhooks Nexus understands. Forgejo is a Gitea fork and sends the same payloads. */
export type WebhookProvider = 'github' | 'gitea' | 'gitlab';

/** Reads one request header by name, case-insensitively; an empty or absent header is undefined. */
export type HeaderReader = (name: string) => string | undefined;

/**
 * A case-insensitive view of request headers. Node and Hono hand them over
 * lower-cased, tests and docs spell them `X-GitHub-Event`: both must work.
 * Empty values count as absent because Gitea sends `X-Gitea-Signature: ""`
 * when the webhook has no secret.
 */
export function headerReader(headers: Record<string, string | undefined>): HeaderReader {
  const byName = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') continue;
    const trimmed = value.trim();
    if (trimmed !== '') byName.set(name.toLowerCase(), trimmed);
  }
  return function header(name: string): string | undefined {
    return byName.get(name.toLowerCase());
  };
}
