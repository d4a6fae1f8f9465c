import fs from 'node:fs/promises';
import path from 'node:path';
import { trimHistory } from './history.ts';
import { emptyState, type StateData } from './model.ts';

/** The agent's state, read in memory and changed through `update`. */
export interface StateStore {
  /** A snapshot; do not mutate it. */
  read(): StateData;
  /** Reloads the snapshot from where it is kept (another agent may share it). */
  refresh(): Promise<void>;
  /** Releases connections; the store is not used afterwards. */
  close(): Promise<void>;
  /** Applies a change and persists it before resolving. Changes are serialised. */
  update(change: (state: StateData) => void): Promise<void>;
  /** Stores a deployment's build log apart from the (small) state file. */
  writeBuildLog(deploymentId: string, log: string): Promise<void>;
  readBuildLog(deploymentId: string): Promise<string | undefined>;
}

/**
 * The default store: one JSON file in the data folder, replaced atomically
 * (write temp, fsync, rename), so a kill at any instant leaves either the
 * old or the new state, never half of one.
 */
export async function openJsonStore(dataDir: string): Promise<StateStore> {
  const file = path.join(dataDir, 'state.json');
  const logsDir = path.join(dataDir, 'build-logs');
  await fs.mkdir(logsDir, { recursive: true });
  let state = await readStateFile(file);
  let queue: Promise<void> = Promise.resolve();

  async function persist(next: StateData): Promise<void> {
    const dropped = trimHistory(next);
    const temp = `${file}.tmp`;
    const handle = await fs.open(temp, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(next, null, 1));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
    await Promise.all(dropped.map((id) => fs.rm(path.join(logsDir, `${id}.log`), { force: true })));
  }

  return {
    read: () => state,
    // One agent owns a data folder, so the in-memory snapshot is always current.
    refresh: async () => {},
    close: () => queue,
    update(change) {
      const run = queue.then(async () => {
        const next = structuredClone(state);
        change(next);
        await persist(next);
        state = next;
      });
      queue = run.catch(() => undefined);
      return run;
    },
    async writeBuildLog(deploymentId, log) {
      await fs.writeFile(path.join(logsDir, `${deploymentId}.log`), log, { mode: 0o600 });
    },
    async readBuildLog(deploymentId) {
      return fs.readFile(path.join(logsDir, `${deploymentId}.log`), 'utf8').catch(() => undefined);
    },
  };
}

async function readStateFile(file: string): Promise<StateData> {
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return emptyState();
  const parsed = JSON.parse(text) as StateData;
  return { ...emptyState(), ...parsed };
}
