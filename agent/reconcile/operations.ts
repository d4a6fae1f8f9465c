/**
 * The operator's commands on a running reconciler: name lookups, history,
 * build logs, rollback pins, out-of-band secrets and database rotation/drop.
 * Each one only reads or changes the state store (or, for databases, the
 * server through the provisioner); the next cycle turns the change into a
 * release, so nothing here ever races the reconcile loop for an app.
 */
import { NexusError } from '../errors/index.ts';
import type { Logger } from '../log/index.ts';
import type { ObservedContainer } from '../runtime/index.ts';
import { appKey, type Deployment, type StateStore } from '../../state/index.ts';
import { withStateVersions, type DesiredRepo } from './desired.ts';
import type { DatabaseProvisioner } from './cutover.ts';

export class AppNotFoundError extends NexusError<'APP_NOT_FOUND', { app: string }> {
  constructor(app: string, known: string[]) {
    super('APP_NOT_FOUND', `no app "${app}" — known apps: ${known.join(', ') || 'none yet'}; name it as <repo>/<app> if two repos share the name`, { app });
  }
}

export class SecretNameError extends NexusError<'SECRET_NAME', { name: string }> {
  constructor(name: string) {
    super('SECRET_NAME', `"${name.slice(0, 40)}" is not a valid secret name — use letters, digits and '_', not starting with a digit, e.g. STRIPE_KEY`, { name: name.slice(0, 40) });
  }
}

export class DatabaseCommandError extends NexusError<'DATABASE_COMMAND', Record<string, never>> {
  constructor(message: string) {
    super('DATABASE_COMMAND', message, {});
  }
}

export class DeploymentNotFoundError extends NexusError<'DEPLOYMENT_NOT_FOUND', { app: string; deployment: string }> {
  constructor(repo: string, app: string, deployment: string) {
    const which = deployment === 'latest' ? `${repo}/${app} has no deployments yet` : `no deployment "${deployment}" of ${repo}/${app}`;
    super('DEPLOYMENT_NOT_FOUND', `${which} — \`nexus history ${app}\` lists its deployments`, { app: `${repo}/${app}`, deployment: deployment.slice(0, 40) });
  }
}

export class RollbackRefusedError extends NexusError<'ROLLBACK_REFUSED', { app: string }> {
  constructor(app: string, reason: string) {
    super('ROLLBACK_REFUSED', `cannot roll back ${app}: ${reason}`, { app });
  }
}

export interface Operations {
  /** Resolves "app" or "repo/app" to a known app. */
  resolveApp(name: string): { repo: string; app: string };
  /** Deployments of an app, newest first. */
  history(repo: string, app: string): Deployment[];
  /**
   * One deployment of an app and its stored build log ('' before the build
   * wrote any). `id`: "latest", a deployment id, an id prefix or a release.
   */
  buildLog(repo: string, app: string, id: string): Promise<{ deployment: Deployment; log: string }>;
  /**
   * Pins an app at a recorded release (default: the newest successful one
   * that differs from what serves now). The next cycle deploys it without a
   * build; a new commit that changes the app ends the pin.
   */
  rollback(repo: string, app: string, to?: string): Promise<Deployment>;
  /** Stores a secret sealed to the agent's key; the next cycle makes a release with it. */
  setSecret(repo: string, app: string, name: string, value: string): Promise<void>;
  /** New database password (a new release follows through the cutover). */
  rotateDatabase(repo: string, app: string): Promise<void>;
  /** Drops the app's database and role — the only way they are ever dropped. */
  dropDatabase(repo: string, app: string): Promise<void>;
}

/** What the commands may look at: the reconciler's latest snapshot and observation. */
export interface OperationsContext {
  store: StateStore;
  log: Logger;
  now: () => Date;
  seal?: (plaintext: string) => Promise<string>;
  databases?: DatabaseProvisioner;
  snapshot(repo: string): DesiredRepo | undefined;
  serving(repo: string, app: string): ObservedContainer | undefined;
  knownApps(): { repo: string; app: string }[];
}

export function createOperations(ctx: OperationsContext): Operations {
  const { store, log } = ctx;
  return {
    resolveApp(name) {
      const known = ctx.knownApps();
      const matches = name.includes('/') ? known.filter((item) => appKey(item.repo, item.app) === name) : known.filter((item) => item.app === name);
      if (matches.length !== 1) throw new AppNotFoundError(name, known.map((item) => appKey(item.repo, item.app)));
      return matches[0]!;
    },

    history(repo, app) {
      return store.read().deployments.filter((item) => item.repo === repo && item.app === app).reverse();
    },

    async buildLog(repo, app, id) {
      const deployments = store.read().deployments.filter((item) => item.repo === repo && item.app === app).reverse();
      const deployment = findDeployment(deployments, id);
      if (!deployment) throw new DeploymentNotFoundError(repo, app, id);
      return { deployment, log: (await store.readBuildLog(deployment.id)) ?? '' };
    },

    async setSecret(repo, app, name, value) {
      if (!ctx.seal) throw new Error('this agent has no secret support configured');
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new SecretNameError(name);
      const sealed = await ctx.seal(value);
      await store.update((state) => {
        const key = appKey(repo, app);
        state.secrets[key] = { ...state.secrets[key], [name]: sealed };
        delete state.failed[key];
      });
      log.info('secret set', { repo, app, secret: name });
    },

    async rotateDatabase(repo, app) {
      if (!ctx.databases) throw new Error('this agent has no database support configured');
      if (!store.read().databases[appKey(repo, app)]) throw new DatabaseCommandError(`${repo}/${app} has no database — add \`database: postgres\` to the app in nexus.yaml`);
      await ctx.databases.rotate(repo, app);
      log.info('database password rotated', { repo, app });
    },

    async dropDatabase(repo, app) {
      if (!ctx.databases) throw new Error('this agent has no database support configured');
      const key = appKey(repo, app);
      if (!store.read().databases[key]) throw new DatabaseCommandError(`${key} has no database to drop`);
      const snapshot = ctx.snapshot(repo);
      const stillWanted = snapshot?.kind === 'valid' && snapshot.apps.some((item) => item.app === app && item.spec.database);
      if (stillWanted) throw new DatabaseCommandError(`${key} still asks for its database in nexus.yaml — remove \`database: postgres\` (or the app) first, then drop`);
      await ctx.databases.drop(repo, app);
      log.warn('database dropped', { repo, app });
    },

    async rollback(repo, app, to) {
      const key = appKey(repo, app);
      const snapshot = ctx.snapshot(repo);
      const fromGit = snapshot?.kind === 'valid' ? snapshot.apps.find((item) => item.app === app) : undefined;
      if (!fromGit) throw new RollbackRefusedError(key, `its manifest is not valid or not fetched yet (see \`nexus status\`)`);
      const serving = ctx.serving(repo, app);
      const candidates = store.read().deployments.filter((item) => item.repo === repo && item.app === app && item.status === 'success' && item.snapshot).reverse();
      const target = to
        ? candidates.find((item) => item.id === to || item.id.startsWith(to) || item.release === to)
        : candidates.find((item) => item.specHash !== serving?.specHash);
      if (!target) {
        throw new RollbackRefusedError(key, to
          ? `no successful deployment "${to}" with a recorded release — see \`nexus history ${app}\``
          : 'there is no earlier successful release to go back to — see `nexus history`');
      }
      // The pin ends when the app's spec changes — in git, or its secrets and database password.
      const gitSpecHash = withStateVersions(fromGit, store.read()).specHash;
      await store.update((state) => {
        state.pins[key] = { deploymentId: target.id, gitSpecHash, at: ctx.now().toISOString() };
        delete state.failed[key];
      });
      log.info('rollback pinned', { repo, app, deployment: target.id, release: target.release, revision: target.revision });
      return target;
    },

  };
}

/**
 * The deployment `id` names among an app's deployments (newest first):
 * "latest", an exact id, then an exact release, then a unique id prefix
 * (an ambiguous prefix names none, rather than a guess).
 */
function findDeployment(newestFirst: Deployment[], id: string): Deployment | undefined {
  if (id === 'latest') return newestFirst[0];
  const exact = newestFirst.find((item) => item.id === id) ?? newestFirst.find((item) => item.release === id);
  if (exact) return exact;
  const prefixed = id.length > 0 ? newestFirst.filter((item) => item.id.startsWith(id)) : [];
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
