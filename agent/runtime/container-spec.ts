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
  const env = { PORT: String(plan.port), ...plan.env };
  return {
    name: containerName(plan.identity),
    Image: plan.image,
    Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    Labels: { ...labelsFor(plan.identity), [LABEL.agent]: agent },
    ExposedPorts: { [portKey]: {} },
    HostConfig: {
      PortBindings: { [portKey]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
      RestartPolicy: { Name: 'unless-stopped' },
      Memory: plan.memoryBytes,
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
    },
  };
}
