import { posix } from 'node:path';
import { normalizeArmor } from '../secrets/index.ts';
import type { ProblemAt } from './checker.ts';
import { parseDuration } from './duration.ts';
import type { AppSpec, BuildSpec, DatabaseKind, FrameworkKind, Manifest, SecretRef } from './model.ts';
import type { ManifestProblem } from './problem.ts';

/** nexus.yaml as written, once the schema has vouched for its shape. */
export interface RawManifest {
  version: 1;
  apps: Record<string, RawApp>;
}

interface RawApp {
  build?: { context?: string; dockerfile?: string; framework?: FrameworkKind; install?: string; command?: string; output?: string; start?: string; timeout?: string | number };
  port: number;
  domains?: string[];
  health?: { path?: string; timeout?: string | number };
  env?: Record<string, RawEnvValue>;
  database?: DatabaseKind;
}

/** An env value as written: plain, or a reference to a secret (the schema allows only these keys). */
type RawEnvValue = string | { secret?: string; encrypted?: string };

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * A health check may wait at most this long: the deploy of an app holds a
 * slot of the agent's parallel deploys for that time, so an unbounded value
 * would let one tenant stall the others.
 */
export const MAX_HEALTH_TIMEOUT_MS = 10 * 60_000;

/**
 * Fills in defaults and applies the rules a JSON schema cannot express:
 * a domain routed to one app only, a health timeout above zero, a secret
 * reference of exactly one kind, and no hand-set DATABASE_URL next to
 * `database:`.
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
    } else if (timeoutMs > MAX_HEALTH_TIMEOUT_MS) {
      problems.push(problemAt(['apps', name, 'health', 'timeout'],
        'is longer than the 10m the agent allows — an app must answer its health check within 10 minutes of starting; use e.g. `2m`'));
    }

    const { env, secrets } = splitEnv(name, app, problemAt, problems);

    apps.push({
      name,
      build: toBuildSpec(name, app.build ?? {}, problemAt, problems),
      port: app.port,
      domains: [...domains],
      health: { path: app.health?.path ?? '/', timeoutMs: timeoutMs ?? DEFAULT_TIMEOUT_MS },
      env,
      // Left out when empty (like `database`), so the spec (and its hash,
      // which decides redeploys) of an app without secrets is unchanged.
      ...(Object.keys(secrets).length === 0 ? {} : { secrets }),
      ...(app.database === undefined ? {} : { database: app.database }),
    });
  }

  apps.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { manifest: { version: 1, apps }, problems };
}

/**
 * The build as written, normalised. Framework overrides only make sense for
 * a generated Dockerfile, so they are refused next to `dockerfile`. Keys
 * that are absent stay absent (the spec hash of an app is its content).
 */
function toBuildSpec(app: string, raw: NonNullable<RawApp['build']>, problemAt: ProblemAt, problems: ManifestProblem[]): BuildSpec {
  const build: BuildSpec = { context: normalize(raw.context ?? '.') };
  if (raw.dockerfile !== undefined) build.dockerfile = normalize(raw.dockerfile);
  for (const field of ['framework', 'install', 'command', 'output', 'start'] as const) {
    if (raw[field] === undefined) continue;
    if (raw.dockerfile !== undefined) {
      problems.push(problemAt(['apps', app, 'build', field],
        `only applies when the agent generates the Dockerfile, but this app names its own (\`dockerfile: ${raw.dockerfile}\`) — remove \`${field}\` or remove \`dockerfile\``, 'key'));
    }
  }
  if (raw.framework !== undefined) build.framework = raw.framework;
  if (raw.install !== undefined) build.install = raw.install;
  if (raw.command !== undefined) build.command = raw.command;
  if (raw.output !== undefined) build.output = normalize(raw.output);
  if (raw.start !== undefined) build.start = raw.start;
  if (raw.timeout !== undefined) {
    const timeoutMs = parseDuration(raw.timeout);
    if (timeoutMs === undefined || timeoutMs <= 0) problems.push(problemAt(['apps', app, 'build', 'timeout'], 'must be longer than zero — e.g. `10m`'));
    else build.timeoutMs = timeoutMs;
  }
  return build;
}

/**
 * Splits env into plain values and secret references. The schema allows
 * `{ secret }` and `{ encrypted }` but cannot say "exactly one of" with a
 * message a person can use, so that is checked here.
 */
function splitEnv(app: string, raw: RawApp, problemAt: ProblemAt, problems: ManifestProblem[]) {
  const env: Record<string, string> = {};
  const secrets: Record<string, SecretRef> = {};
  for (const [key, value] of Object.entries(raw.env ?? {})) {
    // Assigning it would set the object's prototype instead of a variable: the value would vanish silently.
    if (key === '__proto__') {
      problems.push(problemAt(['apps', app, 'env', key], 'is not a usable variable name — rename it', 'key'));
      continue;
    }
    if (key === 'DATABASE_URL' && raw.database !== undefined) {
      problems.push(problemAt(['apps', app, 'env', key],
        `is set by the agent because the app has \`database: ${raw.database}\` — remove it from env (or remove \`database\` to use a database of your own)`, 'key'));
    }
    if (typeof value === 'string') env[key] = value;
    else if (value.secret !== undefined && value.encrypted !== undefined) {
      problems.push(problemAt(['apps', app, 'env', key],
        'has both `secret` and `encrypted` — give either `secret` (a name set with `nexus secret set`) or `encrypted` (from `nexus secret encrypt`), not both'));
    } else if (value.secret !== undefined) secrets[key] = { kind: 'stored', name: value.secret };
    else if (value.encrypted !== undefined) {
      // The schema vouched for the shape, so this only rewraps folded lines.
      secrets[key] = { kind: 'encrypted', ciphertext: normalizeArmor(value.encrypted) ?? value.encrypted };
    }
  }
  return { env, secrets };
}

/**
 * "./apps/web/" and "apps/web" name the same folder; one spelling keeps
 * spec hashes stable. The schema already ruled out "/" and ".." segments.
 */
function normalize(path: string): string {
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}
