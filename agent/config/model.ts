/**
 * The typed agent config: defaults filled in, paths absolute, durations and
 * sizes as numbers. The YAML shape users write lives in defaults.ts.
 */

/** One watched repository. */
export interface RepoConfig {
  /** ^[a-z][a-z0-9-]{0,39}$, unique; default: last URL segment without ".git". */
  name: string;
  /** http(s) URL, without credentials. */
  url: string;
  /** Default "main". */
  branch: string;
  /** Poll interval; one that a cron schedule can express. Default 30 000. */
  intervalMs: number;
  /** node-cron expression with a seconds field for `intervalMs`, e.g. "*\/10 * * * * *". */
  cron: string;
  /** Name of the agent's env variable holding an HTTP token, if the repo needs one. */
  tokenEnv?: string;
  /** Manifest path inside the repository. Default "nexus.yaml". */
  manifestPath: string;
  /** Env var of the agent holding the secret that push webhooks for this repo are signed with; absent: webhooks refused. */
  webhookSecretEnv?: string;
}

/** The host's nginx, as the proxy driver needs it. */
export interface NginxConfig {
  /** Absolute folder of server blocks the agent owns. */
  dir: string;
  /** nginx `listen` argument for generated server blocks: "80" or "127.0.0.1:8080". */
  listen: string;
  /** argv; default ["nginx", "-t", "-q"]. */
  testCommand: string[];
  /** argv; default ["nginx", "-s", "reload"]. */
  reloadCommand: string[];
}

/** A valid agent config file. */
export interface AgentConfig {
  /** Absolute path of the config file it came from. */
  file: string;
  /** Scopes what this agent owns on a shared host (label nexus.agent); default "nexus". */
  name: string;
  /** Absolute; default ".nexus" beside the config file. */
  dataDir: string;
  repos: RepoConfig[];
  nginx: NginxConfig;
  /** Status server address; default 127.0.0.1:7777. */
  server: { host: string; port: number };
  /** Absolute socket path, or undefined for Docker's own default. */
  docker: { socketPath?: string };
  /** Defaults: drain 2 000 ms, memory 512 MiB, 4 apps at once. */
  deploy: { drainMs: number; memoryBytes: number; parallel: number };
  /** Image builds: limits (one tenant's build cannot stall the others) and the base images of generated Dockerfiles. */
  build: BuildConfig;
  /** The model behind `nexus generate`; absent: generation is off. */
  ai?: AiConfig;
  /** No url: the JSON store in dataDir. A url (or the env var named by urlEnv): the shared Postgres store. */
  state: { url?: string; urlEnv?: string };
  /** Per-app databases: the managed container's image, or an existing server's admin URL (in the env var named). */
  database: { image: string; adminUrlEnv?: string };
}

/** Base images of generated Dockerfiles, by runtime. */
export interface BaseImages {
  /** Builds and runs Node apps, and builds static sites. Default node:20-bookworm-slim. */
  node: string;
  /** Serves static files with nginx. Default nginx:stable-bookworm. */
  static: string;
  /** Runs Python apps. Default python:3.11-slim-bookworm. */
  python: string;
}

/** Limits of every image build. */
export interface BuildConfig {
  /** Longest build; a manifest may ask for less, never more. Default 15 min. */
  timeoutMs: number;
  /** Memory of each build step's container. Default 2 GiB. */
  memoryBytes: number;
  /** CPUs of each build. Default 1. */
  cpus: number;
  /** Builds at once across all repos. Default 2. */
  parallel: number;
  images: BaseImages;
}

/** The AI generator's provider settings. */
export interface AiConfig {
  provider: 'openai' | 'anthropic';
  model: string;
  /** Env var of the agent holding the API key (the key never appears in config, logs or state). */
  apiKeyEnv: string;
  baseURL?: string;
  maxOutputTokens: number;
  timeoutMs: number;
  repairRounds: number;
}
