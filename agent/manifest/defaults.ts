import { posix } from 'node:path';
import type { ProblemAt } from './checker.ts';
import { parseDuration } from './duration.ts';
import type { AppSpec, Manifest } from './model.ts';
import type { ManifestProblem } from './problem.ts';

/** nexus.yaml as written, once the schema has vouched for its shape. */
export interface RawManifest {
  version: 1;
  apps: Record<string, RawApp>;
}

interface RawApp {
  build?: { context?: string; dockerfile?: string };
  port: number;
  domains?: string[];
  health?: { path?: string; timeout?: string | number };
  env?: Record<string, string>;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Fills in defaults and applies the rules a JSON schema cannot express:
 * a domain routed to one app only, and a health timeout above zero.
 * Apps are checked in file order, so a duplicate is reported where it
 * appears second, naming the app that has it first.
 */
export function toManifest(raw: RawManifest, problemAt: ProblemAt): { manifest: Manifest; problems: ManifestProblem[] } {
  const problems: ManifestProblem[] = [];
  const domainOwners = new Map<string, string>();
  const apps: AppSpec[] = [];

  for (const [name, app] of Object.entries(raw.apps)) {
    const domains = app.domains ?? [];
    domains.forEach((domain, index) => {
      const owner = domainOwners.get(domain);
      if (owner === undefined) domainOwners.set(domain, name);
      else if (owner !== name) {
        problems.push(problemAt(['apps', name, 'domains', index],
          `"${domain}" is already used by app "${owner}" — a domain routes to one app only; remove it from one of them`));
      }
    });

    const timeoutMs = app.health?.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(app.health.timeout);
    if (timeoutMs === undefined || timeoutMs <= 0) {
      problems.push(problemAt(['apps', name, 'health', 'timeout'],
        'must be longer than zero — give the app time to start, e.g. `30s`'));
    }

    apps.push({
      name,
      build: {
        context: normalize(app.build?.context ?? '.'),
        dockerfile: normalize(app.build?.dockerfile ?? 'Dockerfile'),
      },
      port: app.port,
      domains: [...domains],
      health: { path: app.health?.path ?? '/', timeoutMs: timeoutMs ?? DEFAULT_TIMEOUT_MS },
      env: { ...app.env },
    });
  }

  apps.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { manifest: { version: 1, apps }, problems };
}

/**
 * "./apps/web/" and "apps/web" name the same folder; one spelling keeps
 * spec hashes stable. The schema already ruled out "/" and ".." segments.
 */
function normalize(path: string): string {
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}
