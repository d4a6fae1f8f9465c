import type Docker from 'dockerode';
import { LABEL, identityFromLabels, type ReleaseIdentity } from './labels.ts';
import { renderCreateOptions, type ContainerPlan } from './container-spec.ts';

/** A managed container as Docker reports it. */
export interface ObservedContainer extends ReleaseIdentity {
  id: string;
  name: string;
  /** Docker's state word: running, exited, created, restarting... */
  state: string;
  /** The loopback port the app's port is published on, if any. */
  hostPort?: number;
  image: string;
}

/** The container operations the reconciler needs. */
export interface ContainerRuntime {
  listManaged(): Promise<ObservedContainer[]>;
  /** Creates and starts a release; returns it as observed after start. */
  startRelease(plan: ContainerPlan): Promise<ObservedContainer>;
  /** Stops (with a grace period) and removes a container; missing is fine. */
  removeContainer(id: string, stopTimeoutSeconds?: number): Promise<void>;
  /** Whether a container still runs, and if not, how it ended. */
  runState(id: string): Promise<{ running: boolean; detail: string }>;
}

/** The real runtime: dockerode on the Docker socket, seeing only the containers of agent `agent`. */
export function createDockerRuntime(docker: Docker, agent: string): ContainerRuntime {
  return {
    async listManaged() {
      const containers = await docker.listContainers({ all: true, filters: { label: [`${LABEL.managed}=true`, `${LABEL.agent}=${agent}`] } });
      const observed: ObservedContainer[] = [];
      for (const info of containers) {
        const identity = identityFromLabels(info.Labels);
        if (!identity) continue;
        const published = info.Ports.find((port) => port.IP === '127.0.0.1' && port.PublicPort);
        observed.push({
          ...identity,
          id: info.Id,
          name: (info.Names[0] ?? '').replace(/^\//, ''),
          state: info.State,
          hostPort: published?.PublicPort,
          image: info.Image,
        });
      }
      return observed;
    },

    async startRelease(plan) {
      const options = renderCreateOptions(plan, agent);
      const container = await docker.createContainer(options);
      try {
        await container.start();
        const info = await container.inspect();
        const bindings = info.NetworkSettings.Ports[`${plan.port}/tcp`] ?? [];
        const hostPort = Number(bindings.find((binding) => binding.HostIp === '127.0.0.1')?.HostPort);
        return {
          ...plan.identity,
          id: info.Id,
          name: options.name ?? info.Name,
          state: info.State.Status,
          hostPort: Number.isFinite(hostPort) && hostPort > 0 ? hostPort : undefined,
          image: plan.image,
        };
      } catch (error) {
        await container.remove({ force: true }).catch(() => undefined);
        throw error;
      }
    },

    async runState(id) {
      const info = await docker.getContainer(id).inspect().catch(() => undefined);
      if (!info) return { running: false, detail: 'container is gone' };
      const state = info.State;
      if (state.Running && !state.Restarting) return { running: true, detail: 'running' };
      const oom = state.OOMKilled ? ', killed for using too much memory' : '';
      return { running: false, detail: `${state.Status}, exit code ${state.ExitCode}${oom}` };
    },

    async removeContainer(id, stopTimeoutSeconds = 10) {
      const container = docker.getContainer(id);
      try {
        await container.stop({ t: stopTimeoutSeconds });
      } catch (error) {
        if (!isAlreadyStoppedOrGone(error)) throw error;
      }
      try {
        await container.remove({ force: true });
      } catch (error) {
        if (!isAlreadyStoppedOrGone(error)) throw error;
      }
    },
  };
}

function isAlreadyStoppedOrGone(error: unknown): boolean {
  const status = (error as { statusCode?: number } | null)?.statusCode;
  // 304: already stopped; 404: no such container; 409: removal already in progress.
  return status === 304 || status === 404 || status === 409;
}
