/**
 * The AI generator's wiring: the provider client from the agent config
 * (the API key read from its env var, remembered by the redactor so it can
 * never reach a log or an answer), git access through the agent's own
 * cache, and deploy outcomes read from the reconciler.
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AgentConfig } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import type { Reconciler } from '../reconcile/index.ts';
import type { Scheduler } from '../scheduler/index.ts';
import type { Redactor } from '../secrets/index.ts';
import { cacheGitDir, fetchBranchHead } from '../source/index.ts';
import { createGenerator, GenerationRequestError, type DeployOutcome, type Generator } from '../ai/generator.ts';
import { createModelClient } from '../ai/providers/index.ts';

/** Lines of a failed build's log sent back to the model. */
const EVIDENCE_LINES = 60;

export function buildGenerator(input: { config: AgentConfig; log: Logger; reconciler: Reconciler; scheduler: Scheduler; redactor: Redactor }): Generator {
  const { config, reconciler } = input;
  const cacheDir = path.join(config.dataDir, 'repos');
  const apiKey = () => {
    const ai = config.ai;
    const key = ai ? process.env[ai.apiKeyEnv] : undefined;
    if (key) input.redactor.remember(key);
    return key;
  };

  return createGenerator({
    config,
    clientFor({ provider, model }) {
      const ai = config.ai!;
      const key = apiKey();
      if (!key) throw new GenerationRequestError(`the agent's environment variable ${ai.apiKeyEnv} (ai.apiKeyEnv) is empty — set it to the ${ai.provider} API key and restart the agent`);
      // A request may name another model; another provider only if it is the configured one (its key and URL are the config's).
      if (provider && provider !== ai.provider) throw new GenerationRequestError(`this agent is configured for ${ai.provider} (ai.provider); --provider ${provider} needs its own ai: settings`);
      return createModelClient({ provider: ai.provider, model: model ?? ai.model, apiKey: key, baseURL: ai.baseURL, timeoutMs: ai.timeoutMs });
    },
    gitdirOf: (repo) => cacheGitDir(cacheDir, repo),
    fetchHead: (repo) => fetchBranchHead({ name: repo.name, url: repo.url, branch: repo.branch, token: repo.tokenEnv ? process.env[repo.tokenEnv] : undefined }, cacheDir),
    sync: (repo) => input.scheduler.requestSync([repo], 'manual'),
    async deployOutcome(repo, app, revision): Promise<DeployOutcome> {
      const deployment = reconciler.history(repo, app).find((item) => item.revision === revision);
      if (!deployment) {
        const status = reconciler.status().repos.find((item) => item.name === repo);
        const held = status?.apps.find((item) => item.name === app)?.held;
        const problems = status?.problems?.map((problem) => `${problem.file}:${problem.line}:${problem.column}: ${problem.message}`).join('; ');
        return held ? { outcome: 'held', reason: held } : problems ? { outcome: 'held', reason: problems } : { outcome: 'pending' };
      }
      if (deployment.status === 'success') return { outcome: 'success' };
      if (deployment.status !== 'failed') return { outcome: 'pending' };
      const log = await reconciler.buildLog(repo, app, deployment.id).then((answer) => answer.log, () => '');
      const tail = log.split('\n').slice(-EVIDENCE_LINES).join('\n');
      return { outcome: 'failed', evidence: `${deployment.message ?? 'the deploy failed'}${tail ? `\n\nLast lines of the build log:\n${tail}` : ''}` };
    },
    forbiddenValues: () => [apiKey()].filter((value): value is string => Boolean(value)),
    log: input.log,
    now: () => new Date(),
    newId: () => randomBytes(6).toString('hex'),
  });
}
