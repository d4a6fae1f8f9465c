/**
 * The environment a release's container starts with, resolved only at
 * deploy time and only in memory: plain values from the manifest, secrets
 * committed encrypted to the agent's key, secrets set out of band (sealed in
 * the state), and DATABASE_URL. The secret part is sealed again for the
 * release record, so a rollback restores exactly those values and nothing
 * is ever stored in plain text. Every secret value is handed to the
 * redactor before it can reach a log line or an API answer.
 */
import { decryptManifestValue, type Redactor, type Sealer } from '../secrets/index.ts';
import { NexusError } from '../errors/index.ts';
import { appKey, type StateData } from '../../state/index.ts';
import type { DesiredApp } from './desired.ts';
import type { ResolvedEnv } from './cutover.ts';

export interface EnvSources {
  sealer: Sealer;
  /** The agent's age identity (AGE-SECRET-KEY-1…), for values committed in nexus.yaml. */
  identity: string;
  redactor: Redactor;
  state: () => StateData;
  /** The app's DATABASE_URL as its container reaches the server (fresh password, never from a record). */
  databaseUrl?: (repo: string, app: string) => Promise<string>;
}

export class SecretNotSetError extends NexusError<'SECRET_NOT_SET', { app: string; key: string }> {
  constructor(app: string, key: string, name: string) {
    super('SECRET_NOT_SET', `app "${app}", env ${key}: secret ${name} is not set — run \`nexus secret set ${app} ${name}\` (value on stdin)`, { app, key });
  }
}

export function createEnvResolver(sources: EnvSources): (desired: DesiredApp) => Promise<ResolvedEnv> {
  return async (desired) => {
    const env: Record<string, string> = { ...desired.spec.env };
    const sealedEnv: Record<string, string> = {};
    const where = (key: string) => ({ app: desired.app, key });

    if (desired.sealedEnv) {
      // A recorded release (rollback): its own secret values, as they were.
      for (const [key, sealed] of Object.entries(desired.sealedEnv)) {
        env[key] = await sources.sealer.open(sealed, where(key));
        sealedEnv[key] = sealed;
      }
    } else {
      const stored = sources.state().secrets[appKey(desired.repo, desired.app)] ?? {};
      for (const [key, ref] of Object.entries(desired.spec.secrets ?? {})) {
        let value: string;
        if (ref.kind === 'encrypted') value = await decryptManifestValue(ref.ciphertext, sources.identity, where(key));
        else {
          const sealed = stored[ref.name];
          if (sealed === undefined) throw new SecretNotSetError(desired.app, key, ref.name);
          value = await sources.sealer.open(sealed, where(key));
        }
        env[key] = value;
        sealedEnv[key] = await sources.sealer.seal(value);
      }
    }
    for (const key of Object.keys(sealedEnv)) sources.redactor.remember(env[key]!);

    if (desired.spec.database) {
      if (!sources.databaseUrl) throw new Error(`app "${desired.app}" asks for a database, but this agent has no database support configured`);
      env.DATABASE_URL = await sources.databaseUrl(desired.repo, desired.app);
      sources.redactor.remember(env.DATABASE_URL);
      const password = new URL(env.DATABASE_URL).password;
      if (password) sources.redactor.remember(decodeURIComponent(password));
    }
    return { env, sealedEnv };
  };
}
