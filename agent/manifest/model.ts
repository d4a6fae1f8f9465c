/**
 * The typed manifest the rest of the agent works with: every default filled
 * in, durations in milliseconds, apps in a stable order. What users write
 * (the YAML shape) lives in defaults.ts; only this shape leaves the folder.
 */

/** The HTTP check a new container must pass before it gets traffic. */
export interface HealthSpec {
  /** Starts with "/". Default "/". */
  path: string;
  /** Default 30 000. */
  timeoutMs: number;
}

/** Where an app's image is built from, relative to the repository root. */
export interface BuildSpec {
  /** Normalised relative folder inside the repository; "." for the root. */
  context: string;
  /** Path of the Dockerfile relative to `context`, inside it. Default "Dockerfile". */
  dockerfile: string;
}

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
  /** Plain string values only, for now. Default {}. */
  env: Record<string, string>;
}

/** A valid nexus.yaml. */
export interface Manifest {
  version: 1;
  /** Sorted by name, so plans and hashes do not depend on the order in the file. */
  apps: AppSpec[];
}
