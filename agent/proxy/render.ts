/** What one app's route says: which domains go to which loopback port. */
export interface RouteSpec {
  repo: string;
  app: string;
  release: string;
  domains: string[];
  /** nginx `listen` argument, e.g. "80" or "127.0.0.1:8080". */
  listen: string;
  upstreamPort: number;
}

/** The file name of an app's route inside the agent's nginx folder. */
export function routeFileName(repo: string, app: string): string {
  return `nexus--${repo}--${app}.conf`;
}

const HEADER_PREFIX = '# nexus-route ';

/**
 * Renders an app's nginx server block (pure; tested by equality). The first
 * line records what the route points at, so observation can read it back
 * without any memory of its own.
 */
export function renderServerBlock(route: RouteSpec): string {
  const upstream = `nexus_${route.repo}__${route.app}`.replace(/-/g, '_');
  const header = { repo: route.repo, app: route.app, release: route.release, upstreamPort: route.upstreamPort, domains: route.domains };
  return `${HEADER_PREFIX}${JSON.stringify(header)}
# Managed by Nexus: edits by hand are reverted on the next reconcile.
upstream ${upstream} {
    server 127.0.0.1:${route.upstreamPort};
    keepalive 16;
}

server {
    listen ${route.listen};
    server_name ${route.domains.join(' ')};

    location / {
        proxy_pass http://${upstream};
        # Lets the agent confirm, through nginx itself, that this route is live.
        add_header X-Nexus-Release "${route.release}" always;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_connect_timeout 5s;
        proxy_send_timeout 60s;
        proxy_read_timeout 60s;
        # A request that fails before any byte was sent is retried once on
        # the same upstream rather than answered with a 502.
        proxy_next_upstream error timeout;
        proxy_next_upstream_tries 2;
    }
}
`;
}

/** What a route file's header says it points at; undefined if unreadable. */
export interface RouteHeader {
  repo: string;
  app: string;
  release: string;
  upstreamPort: number;
  /** The server_name list; used to tell which app serves a domain now. */
  domains?: string[];
}

export function parseRouteHeader(content: string): RouteHeader | undefined {
  const firstLine = content.split('\n', 1)[0] ?? '';
  if (!firstLine.startsWith(HEADER_PREFIX)) return undefined;
  try {
    const header = JSON.parse(firstLine.slice(HEADER_PREFIX.length)) as Partial<RouteHeader>;
    if (typeof header.repo !== 'string' || typeof header.app !== 'string') return undefined;
    if (typeof header.release !== 'string' || typeof header.upstreamPort !== 'number') return undefined;
    return header as RouteHeader;
  } catch {
    return undefined;
  }
}

/**
 * Where the agent can reach a server block listening on `listen` (an nginx
 * `listen` argument): a bare port or a wildcard address means loopback.
 */
export function probeAddress(listen: string): { host: string; port: number } {
  const ipv6 = /^\[([^\]]*)\]:(\d+)$/.exec(listen);
  if (ipv6) return { host: ipv6[1] === '::' || ipv6[1] === '' ? '::1' : ipv6[1]!, port: Number(ipv6[2]) };
  const colon = listen.lastIndexOf(':');
  if (colon < 0) return { host: '127.0.0.1', port: Number(listen) };
  const host = listen.slice(0, colon);
  return { host: host === '0.0.0.0' || host === '*' ? '127.0.0.1' : host, port: Number(listen.slice(colon + 1)) };
}
