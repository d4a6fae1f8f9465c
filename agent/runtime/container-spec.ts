import { createHmac } from 'node:crypto';
import type Docker from 'dockerode';
import { LABEL, labelsFor, type ReleaseIdentity } from './labels.ts';

/** Everything needed to start one release's container. */
export interface ContainerPlan {
  identity: ReleaseIdentity;
  image: string;
  /** Port the app listens on inside the container. */
  port: number;
  env: Record<string, string>;
  memoryBytes: number;
  /** The `nexus.config` label (see configLabel); set by the runtime, which holds the key. */
  config?: string;
  /** A Docker network to run on instead of the default bridge (e.g. to reach the platform Postgres). */
  network?: string;
}

/** What a container runs with, as far as drift detection cares. */
export interface RuntimeConfig {
  image: string;
  memoryBytes: number;
  /** `KEY=value` entries the container has beyond its image's own. */
  env: string[];
}

/**
 * The `nexus.config` label: image and memory in clear, env only as an HMAC
 * (env may hold secrets, and labels are readable by anyone with Docker
 * access). Comparing it with the same rendering of an inspected container
 * tells which of the three was changed by hand.
 */
export function configLabel(config: RuntimeConfig, key: Buffer): string {
  const env = createHmac('sha256', key).update([...config.env].sort().join('\n')).digest('hex').slice(0, 24);
  return JSON.stringify({ image: config.image, memory: config.memoryBytes, env });
}

/** The differences between the recorded and the actual config label, in words; [] when equal or unreadable. */
export function configDrift(recorded: string | undefined, actual: string): string[] {
  if (!recorded) return [];
  try {
    const before = JSON.parse(recorded) as Record<string, unknown>;
    const now = JSON.parse(actual) as Record<string, unknown>;
    const words: Record<string, string> = { image: 'image', memory: 'memory limit', env: 'environment' };
    return Object.keys(words).filter((field) => before[field] !== now[field]).map((field) => `${words[field]} changed by hand`);
  } catch {
    return [];
  }
}

/** The full env of a release, as `KEY=value` entries (PORT first, as the app expects it). */
export function envEntries(plan: Pick<ContainerPlan, 'port' | 'env'>): string[] {
  const env = { PORT: String(plan.port), ...plan.env };
  return Object.entries(env).map(([key, value]) => `${key}=${value}`);
}

/** Container name of a release: unique, and readable in `docker ps`. */
export function containerName(identity: ReleaseIdentity): string {
  return `nexus-${identity.repo}-${identity.app}-${identity.release}`;
}

/**
 * Docker create options for a release (commands as data: pure, tested by
 * equality). The app port is published on 127.0.0.1 only, on a port Docker
 * picks, so nothing is reachable from outside except through nginx.
 */
export function renderCreateOptions(plan: ContainerPlan, agent: string): Docker.ContainerCreateOptions {
  const portKey = `${plan.port}/tcp`;
  return {
    name: containerName(plan.identity),
    Image: plan.image,
    Env: envEntries(plan),
    Labels: { ...labelsFor(plan.identity), [LABEL.agent]: agent, ...(plan.config ? { [LABEL.config]: plan.config } : {}) },
    ExposedPorts: { [portKey]: {} },
    HostConfig: {
      PortBindings: { [portKey]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
      RestartPolicy: { Name: 'unless-stopped' },
      ...(plan.network ? { NetworkMode: plan.network } : {}),
      Memory: plan.memoryBytes,
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
    },
  };
}
