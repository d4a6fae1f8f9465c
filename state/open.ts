import { openJsonStore, type StateStore } from './json-store.ts';
import { InvalidStateUrlError, openPgStore } from './pg-store.ts';

export interface OpenStoreOptions {
  /** The agent's data folder: where the JSON store lives when there is no url. */
  dataDir: string;
  /** postgres:// or postgresql:// to share state between agents; unset for the JSON store. */
  url?: string;
  /** Postgres only: agents with the same namespace share one state. */
  namespace?: string;
}

/**
 * Opens the store the agent config asks for: the JSON file in the data
 * folder by default, Postgres when a postgres:// url is given.
 */
export async function openStore({ dataDir, url, namespace }: OpenStoreOptions): Promise<StateStore> {
  if (url === undefined || url === '') return openJsonStore(dataDir);
  if (/^postgres(ql)?:\/\//i.test(url)) return openPgStore(url, { namespace });
  // Only the scheme is quoted: the rest of the url may hold a password.
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1] ?? '(none)';
  throw new InvalidStateUrlError(scheme, 'is not supported');
}
