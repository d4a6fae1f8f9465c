import type Docker from 'dockerode';
import { LABEL, identityFromLabels, type ReleaseIdentity } from './labels.ts';
import { configDrift, configLabel, envEntries, renderCreateOptions, type ContainerPlan } from './container-spec.ts';

/** A managed container as Docker reports it. */
export interface ObservedContainer extends ReleaseIdentity {
  id: string;
  name: string;
  /** Docker's state word: running, exited, created, restarting... */
  state: string;
  /** The loopback port the app's port is published on, if any. */
  hostPort?: number;
  image: string;
  /** What was changed by hand since the agent created it (image, memory limit, environment); [] when nothing. */
  drift: string[];
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

/**
 * The real runtime: dockerode on the Docker socket, seeing only the
 * containers of agent `agent`. `configKey` keys the env fingerprint in the
 * `nexus.config` label (so the label reveals nothing about secret values).
 */
export function createDockerRuntime(docker: Docker, agent: string, configKey: Buffer): ContainerRuntime {
  // An image's own env never changes for a given image id: inspect it once.
  const imageEnv = new Map<string, Set<string>>();
  async function envOfImage(imageRef: string): Promise<Set<string>> {
    const known = imageEnv.get(imageRef);
    if (known) return known;
    const info = await docker.getImage(imageRef).inspect();
    const env = new Set(info.Config?.Env ?? []);
    imageEnv.set(imageRef, env);
    imageEnv.set(info.Id, env);
    return env;
  }

  /** The config label of a running container as it is now (one inspect). */
  async function actualConfig(id: string): Promise<string | undefined> {
    const info = await docker.getContainer(id).inspect().catch(() => undefined);
    if (!info) return undefined;
    const base = await envOfImage(info.Image).catch(() => new Set<string>());
    const env = (info.Config.Env ?? []).filter((entry) => !base.has(entry));
    return configLabel({ image: info.Config.Image, memoryBytes: info.HostConfig.Memory ?? 0, env }, configKey);
  }

  return {
    async listManaged() {
      const containers = await docker.listContainers({ all: true, filters: { label: [`${LABEL.managed}=true`, `${LABEL.agent}=${agent}`] } });
      const managed = containers.flatMap((info) => {
        const identity = identityFromLabels(info.Labels);
        return identity ? [{ info, identity }] : [];
      });
      // Drift is checked on running containers only: a stopped one is replaced anyway.
      return Promise.all(managed.map(async ({ info, identity }) => {
        const published = info.Ports.find((port) => port.IP === '127.0.0.1' && port.PublicPort);
        const recorded = info.Labels[LABEL.config];
        const actual = recorded && info.State === 'running' ? await actualConfig(info.Id) : undefined;
        return {
          ...identity,
          id: info.Id,
          name: (info.Names[0] ?? '').replace(/^\//, ''),
          state: info.State,
          hostPort: published?.PublicPort,
          image: info.Image,
          drift: actual ? configDrift(recorded, actual) : [],
        };
      }));
    },

    async startRelease(plan) {
      const base = await envOfImage(plan.image);
      const config = configLabel({ image: plan.image, memoryBytes: plan.memoryBytes, env: envEntries(plan).filter((entry) => !base.has(entry)) }, configKey);
      const options = renderCreateOptions({ ...plan, config }, agent);
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
          drift: [],
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
