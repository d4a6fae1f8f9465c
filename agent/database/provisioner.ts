/**
 * The reconciler's view of app databases (DatabaseProvisioner): observe the
 * server, ensure/rotate/drop an app's database, and build its
 * DATABASE_URL. Passwords live only sealed in the state store; the server
 * is either the platform container or an existing server (admin URL).
 */
import type Docker from 'dockerode';
import { describeError } from '../errors/index.ts';
import type { DatabaseProvisioner, ObservedDatabaseServer } from '../reconcile/index.ts';
import type { Sealer } from '../secrets/index.ts';
import { appKey, type StateStore } from '../../state/index.ts';
import { ensurePlatformPostgres, type PlatformPostgres } from './platform.ts';
import { appConnectionUrl, databaseNames, dropAppDatabase, ensureAppDatabase, generatePassword, listAppDatabases, setPassword, withAdmin } from './roles.ts';

export interface DatabaseService extends DatabaseProvisioner {
  /** DATABASE_URL of an app as its container reaches the server. */
  databaseUrl(repo: string, app: string): Promise<string>;
  /** The Docker network app containers with a database join (platform mode only). */
  network(): string | undefined;
}

export type DatabaseServerConfig =
  | { kind: 'platform'; docker: Docker; agentName: string; dataDir: string; image: string }
  | { kind: 'external'; adminUrl: string; agentName: string };

export function createDatabaseService(server: DatabaseServerConfig, store: StateStore, sealer: Sealer): DatabaseService {
  let current: PlatformPostgres | undefined;

  /** The server as of now, or why it cannot be used. */
  async function locate(create = true): Promise<PlatformPostgres | { reason: string }> {
    if (server.kind === 'external') {
      const url = new URL(server.adminUrl);
      current = { adminUrl: server.adminUrl, appHost: url.hostname, appPort: Number(url.port || 5432), network: '' };
      return current;
    }
    const state = await ensurePlatformPostgres({ ...server, create });
    if (!state.running) return { reason: state.reason };
    current = state.server;
    return current;
  }

  async function admin(): Promise<PlatformPostgres> {
    const located = await locate();
    if ('reason' in located) throw new Error(located.reason);
    return located;
  }

  const keyOf = (repo: string, app: string) => appKey(repo, app);

  return {
    async observe(options = {}): Promise<ObservedDatabaseServer> {
      try {
        const located = await locate(options.create ?? true);
        if ('reason' in located) return { reachable: false, reason: located.reason };
        return { reachable: true, databases: await withAdmin(located.adminUrl, listAppDatabases) };
      } catch (error) {
        return { reachable: false, reason: describeError(error) };
      }
    },

    async ensure(repo, app) {
      const key = keyOf(repo, app);
      const record = store.read().databases[key];
      const names = record ?? databaseNames(repo, app, server.agentName);
      // Same password as recorded (a server that lost the database gets it back unchanged), or a new one.
      const password = record ? await sealer.open(record.sealedPassword, { app, key: 'DATABASE_URL' }) : generatePassword();
      const { adminUrl } = await admin();
      await withAdmin(adminUrl, (client) => ensureAppDatabase(client, { database: names.database, role: names.role, password }));
      if (!record) {
        const sealedPassword = await sealer.seal(password);
        await store.update((state) => {
          state.databases[key] = { database: names.database, role: names.role, sealedPassword, createdAt: new Date().toISOString() };
        });
      }
    },

    async rotate(repo, app) {
      const key = keyOf(repo, app);
      const record = store.read().databases[key];
      if (!record) throw new Error(`${key} has no database`);
      const password = generatePassword();
      const { adminUrl } = await admin();
      await withAdmin(adminUrl, (client) => setPassword(client, record.role, password));
      const sealedPassword = await sealer.seal(password);
      await store.update((state) => {
        state.databases[key] = { ...record, sealedPassword, rotatedAt: new Date().toISOString() };
      });
    },

    async drop(repo, app) {
      const key = keyOf(repo, app);
      const record = store.read().databases[key];
      if (!record) return;
      const { adminUrl } = await admin();
      await withAdmin(adminUrl, (client) => dropAppDatabase(client, record));
      await store.update((state) => {
        delete state.databases[key];
      });
    },

    async databaseUrl(repo, app) {
      const record = store.read().databases[keyOf(repo, app)];
      if (!record) throw new Error(`app "${app}" has no database yet — it is made before the app is deployed`);
      const password = await sealer.open(record.sealedPassword, { app, key: 'DATABASE_URL' });
      const located = current ?? (await admin());
      return appConnectionUrl({ host: located.appHost, port: located.appPort, database: record.database, role: record.role, password });
    },

    network: () => (current?.network ? current.network : undefined),
  };
}
