/**
 * The typed manifest the rest of the agent works with: every default filled
 * in, durations in milliseconds, apps in a stable order. What users write
 * (the YAML shape) lives in defaults.ts; only this shape leaves the folder.
 */

/** The HTTP check a new container must pass before it gets traffic. */
export interface HealthSpec {
  /** Starts with "/". Default "/". */
  path: string;
  /** Default 30 000, at most 600 000 (see MAX_HEALTH_TIMEOUT_MS). */
  timeoutMs: number;
}

/** The kinds of app the agent can build without a Dockerfile. */
export const FRAMEWORK_KINDS = ['nextjs', 'nuxt', 'sveltekit', 'vite', 'astro', 'static', 'node', 'python'] as const;
export type FrameworkKind = (typeof FRAMEWORK_KINDS)[number];

/** Where an app's image is built from, relative to the repository root. */
export interface BuildSpec {
  /** Normalised relative folder inside the repository; "." for the root. */
  context: string;
  /**
   * Path of the Dockerfile relative to `context`, only when the manifest
   * names one. Absent: a `Dockerfile` in the context if there is one,
   * otherwise the framework is detected and the Dockerfile generated.
   */
  dockerfile?: string;
  /** Overrides of what detection decides (generated builds only). */
  framework?: FrameworkKind;
  install?: string;
  command?: string;
  output?: string;
  start?: string;
  /** Asked-for build timeout; the agent's `build.timeout` caps it. */
  timeoutMs?: number;
}

/**
 * Where a secret env value comes from. Only references live in the
 * manifest: `stored` names a secret set out of band (`nexus secret set
 * <app> NAME`); `encrypted` is committed age armor (canonical form, see
 * agent/secrets normalizeArmor) that only the agent's key opens.
 */
export type SecretRef =
  | { kind: 'stored'; name: string }
  | { kind: 'encrypted'; ciphertext: string };

/** The databases the agent can provision for an app. */
export type DatabaseKind = 'postgres';

/** One app of the manifest. */
export interface AppSpec {
  /** ^[a-z][a-z0-9-]{0,39}$ — used in container and file names. */
  name: string;
  build: BuildSpec;
  /** The port the app listens on inside its container. */
  port: number;
  /** Lowercase hostnames, each unique within the manifest. Default []. */
  domains: string[];
  health: HealthSpec;
  /** The plain (committed, not secret) values only. Default {}. */
  env: Record<string, string>;
  /**
   * The env values that are secrets, by variable name (read it as
   * `spec.secrets ?? {}`). A name is in `env` or here, never both (one YAML
   * map). Absent when there are none, so that the spec of an app without
   * secrets — and the spec hash that decides redeploys — is the same as
   * before secrets existed.
   */
  secrets?: Record<string, SecretRef>;
  /**
   * `postgres`: provision a per-app database and inject DATABASE_URL
   * (which the manifest may then not set itself). Absent: no database.
   */
  database?: DatabaseKind;
}

/** A valid nexus.yaml. */
export interface Manifest {
  version: 1;
  /** Sorted by name, so plans and hashes do not depend on the order in the file. */
  apps: AppSpec[];
}
