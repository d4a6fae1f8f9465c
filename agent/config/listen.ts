/** A listen address split into parts; `host` is absent for a bare port. */
export interface ListenAddress {
  host?: string;
  port: number;
}

/**
 * Reads `80`, "80", "127.0.0.1:8080" or "[::1]:8080". The schema has
 * checked the shape; this checks the port range, which a pattern cannot.
 * IPv6 hosts come back without brackets ("::1"), as sockets want them.
 */
export function parseListen(value: string | number): ListenAddress | undefined {
  const text = String(value);
  const match = /^(?:\[([^\]]+)\]:|([^:[\]]+):)?(\d{1,5})$/.exec(text);
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  const host = match[1] ?? match[2];
  return host === undefined ? { port } : { host, port };
}

/** Back to nginx's `listen` syntax: "80", "127.0.0.1:8080", "[::1]:8080". */
export function formatListen(address: ListenAddress): string {
  if (address.host === undefined) return String(address.port);
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
