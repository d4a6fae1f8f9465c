import { parseDuration, type ManifestProblem, type ProblemAt } from '../manifest/index.ts';
import { intervalHint, intervalToCron } from './interval.ts';
import type { RepoConfig } from './model.ts';

/** A repository entry as written, once the schema has vouched for its shape. */
export interface RawRepo {
  name?: string;
  url: string;
  branch?: string;
  interval?: string | number;
  tokenEnv?: string;
  manifest?: string;
  webhook?: { secretEnv: string };
}

const NAME = /^[a-z][a-z0-9-]{0,39}$/;
const DEFAULT_INTERVAL = '30s';

/**
 * Fills in each repository's defaults and checks what the schema cannot:
 * a URL that really parses and carries no credentials, a derivable and
 * unique name, and a poll interval cron can express.
 */
export function toRepoConfigs(raws: readonly RawRepo[], problemAt: ProblemAt): { repos: RepoConfig[]; problems: ManifestProblem[] } {
  const problems: ManifestProblem[] = [];
  const firstIndexByName = new Map<string, number>();
  const repos: RepoConfig[] = [];

  raws.forEach((raw, index) => {
    const at = (key: string, message: string) => problems.push(problemAt(['repos', index, key], message));

    const url = parseUrl(raw.url);
    if (url === undefined) {
      at('url', 'is not a valid URL — use the http:// or https:// URL of the repository, e.g. `https://git.example.com/team/app.git`');
    } else if (url.username !== '' || url.password !== '') {
      // Credentials in the URL would end up in logs and status answers.
      at('url', 'must not contain a user name or password — put the token in an environment variable and name that variable in `tokenEnv`');
    }

    const name = raw.name ?? deriveName(url);
    if (raw.name === undefined && (name === undefined || !NAME.test(name))) {
      at('url', `gives no usable repo name${name === undefined ? '' : ` ("${name}")`} — add \`name:\` with 1-40 lowercase letters, digits and '-', starting with a letter`);
    } else if (name !== undefined) {
      const first = firstIndexByName.get(name);
      if (first === undefined) firstIndexByName.set(name, index);
      else {
        const fix = raw.name === undefined ? 'add a different `name:` to this entry' : 'give one of them a different `name:`';
        at(raw.name === undefined ? 'url' : 'name', `repo name "${name}" is already used by repos[${first}] — ${fix}`);
      }
    }

    const intervalMs = parseDuration(raw.interval ?? DEFAULT_INTERVAL);
    const cron = intervalMs === undefined ? undefined : intervalToCron(intervalMs);
    if (intervalMs === undefined || cron === undefined) {
      at('interval', `${JSON.stringify(raw.interval)} cannot be used as a poll interval — ${intervalHint(intervalMs ?? 0)}`);
    }

    repos.push({
      name: name ?? '',
      url: raw.url,
      branch: raw.branch ?? 'main',
      intervalMs: intervalMs ?? 0,
      cron: cron ?? '',
      ...(raw.tokenEnv === undefined ? {} : { tokenEnv: raw.tokenEnv }),
      ...(raw.webhook === undefined ? {} : { webhookSecretEnv: raw.webhook.secretEnv }),
      manifestPath: raw.manifest ?? 'nexus.yaml',
    });
  });

  return { repos, problems };
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** "https://host/team/Demo.git/" → "demo": the last path segment, without ".git". */
function deriveName(url: URL | undefined): string | undefined {
  const last = url?.pathname.split('/').filter((s) => s !== '').pop();
  if (last === undefined) return undefined;
  return decodeURIComponent(last).replace(/\.git$/i, '').toLowerCase();
}
