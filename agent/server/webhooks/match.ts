/** Schemes a git remote can use; anything else (file:, mailto:) names no hosted repo. */
const SCHEMES = new Set(['http:', 'https:', 'ssh:', 'git:', 'git+ssh:', 'ssh+git:']);

/**
 * Ports that are the default of some git transport (ssh 22, http 80,
 * https 443, git 9418). The key drops the scheme, so it drops these too:
 * `https://host:443/o/r` and `ssh://git@host:22/o/r` are the same repo.
 */
const DEFAULT_PORTS = new Set(['22', '80', '443', '9418']);

/**
 * The canonical `host[:port]/path` key of a repository URL, or undefined
 * when it names no hosted repository. Accepts http(s)://, ssh://, git://
 * and scp-style `git@host:owner/repo.git`; drops the scheme, user info,
 * default ports, query, fragment, trailing `/` and one trailing `.git`;
 * keeps any other port.
 *
 * Only the host is lower-cased. Paths keep their case: some servers treat
 * them as case-sensitive, and the forges send their canonical spelling,
 * so a configured URL copied from the clone button matches.
 */
export function normaliseRepoUrl(url: string): string | undefined {
  const text = url.trim();
  const located = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? fromUrl(text) : fromScpStyle(text);
  if (located === undefined) return undefined;
  const path = located.path.replace(/^\/+/, '').replace(/\/+$/, '').replace(/\.git$/, '').replace(/\/+$/, '');
  if (path === '') return undefined;
  const port = located.port === '' || DEFAULT_PORTS.has(located.port) ? '' : `:${located.port}`;
  return `${located.host.toLowerCase()}${port}/${path}`;
}

/**
 * Names of the configured repos that a delivery is about: those whose
 * normalised URL equals the normalised form of any URL in the payload.
 * Whole keys are compared, so `o/shop` never matches `o/shop-copy` or
 * `o/shop/sub`. Names come out once each, in configured order.
 */
export function matchRepos(deliveryUrls: string[], configured: { name: string; url: string }[]): string[] {
  const keys = new Set(deliveryUrls.map(normaliseRepoUrl).filter((key) => key !== undefined));
  const names = configured.filter((repo) => {
    const key = normaliseRepoUrl(repo.url);
    return key !== undefined && keys.has(key);
  });
  return [...new Set(names.map((repo) => repo.name))];
}

interface Located {
  host: string;
  port: string;
  path: string;
}

function fromUrl(text: string): Located | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (!SCHEMES.has(url.protocol.toLowerCase()) || url.hostname === '') return undefined;
  return { host: url.hostname, port: url.port, path: url.pathname };
}

/**
 * `[user@]host:path`, as git reads it: a colon before any slash. One-letter
 * hosts are refused because `C:/repo` is a Windows path, not a host.
 */
function fromScpStyle(text: string): Located | undefined {
  const match = /^(?:[^@/\s]+@)?(\[[^\]\s]+\]|[^:/@\s[\]]{2,}):([^\s]+)$/.exec(text);
  if (match === null) return undefined;
  return { host: match[1]!, port: '', path: match[2]! };
}
