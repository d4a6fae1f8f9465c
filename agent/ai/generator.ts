import type { AgentConfig, RepoConfig } from '../config/index.ts';
import { NexusError, describeError } from '../errors/index.ts';
import type { Logger } from '../log/index.ts';
import { parseManifest } from '../manifest/index.ts';
import { listTreeAt, pushCommit, readBlob, readFileAt, writeCommit, PushFailedError } from '../source/index.ts';
import { obtainAnswer } from './answer.ts';
import { checkAnswer } from './checks/index.ts';
import { FINISHED, type Generation } from './generation.ts';
import { renderUserMessage, SYSTEM_PROMPT } from './prompt.ts';
import type { ModelClient, ProviderName } from './providers/index.ts';

export const AI_AUTHOR = { name: 'Nexus AI', email: 'ai@nexus.invalid' } as const;

/** Where a deploy of a commit ended, as the reconciler reports it. */
export type DeployOutcome = { outcome: 'success' } | { outcome: 'failed'; evidence: string } | { outcome: 'held'; reason: string } | { outcome: 'pending' };

export interface GeneratorDeps {
  config: AgentConfig;
  /** A client for the configured provider, or the one a request names. */
  clientFor(options: { provider?: ProviderName; model?: string }): ModelClient;
  gitdirOf(repo: string): string;
  fetchHead(repo: RepoConfig): Promise<string>;
  /** Asks for a sync of the repo; resolves once its work is done. */
  sync(repo: string): Promise<void>;
  /** The deploy of `revision` for an app: its outcome and, when failed, the evidence (message, build log tail). */
  deployOutcome(repo: string, app: string, revision: string): Promise<DeployOutcome>;
  /** Values that must never appear in a generated file (the API key). */
  forbiddenValues: () => string[];
  log: Logger;
  now: () => Date;
  newId: () => string;
}

export interface GenerateRequest {
  prompt: string;
  app: string;
  repo?: string;
  provider?: ProviderName;
  model?: string;
  dryRun?: boolean;
}

export class GenerationRequestError extends NexusError<'GENERATION_REQUEST_INVALID', Record<string, never>> {
  constructor(message: string) {
    super('GENERATION_REQUEST_INVALID', message, {});
  }
}

export class GenerationBusyError extends NexusError<'GENERATION_BUSY', { running: number }> {
  constructor(message: string, running: number) {
    super('GENERATION_BUSY', message, { running });
  }
}

/** Generations running at once (each holds model calls, a git cache and a deploy): more are refused, not queued. */
export const MAX_RUNNING = 2;
/** A generation that has not ended after this long is stopped between steps. */
export const GENERATION_DEADLINE_MS = 30 * 60_000;
/** Dry-run previews (files up to 5 MiB) are kept for the newest few generations only. */
const PREVIEWS_KEPT = 5;
/** Messages and steps are cut to this length (they quote model output). */
const MAX_MESSAGE = 4_000;

export interface Generator {
  /** Starts a generation; resolves with its record at once (the work goes on). */
  start(request: GenerateRequest): Generation;
  get(id: string): Generation | undefined;
  /** The newest generations, newest first. */
  list(): Generation[];
  /** Resolves when every running generation has ended (shutdown, tests). */
  idle(): Promise<void>;
}

/** Kept in memory: the newest this many generations. */
const KEPT = 50;
/** Syncs asked for until the deploy of a generated commit has an outcome. */
const SYNC_ATTEMPTS = 3;
/** Pushing again after the branch moved: at most this many attempts. */
const PUSH_ATTEMPTS = 3;
/** The app's current files sent as context: at most this much. */
const CONTEXT_FILES = 40;
const CONTEXT_BYTES = 200_000;

/**
 * describe → structured answer → checks → one commit → push → the ordinary
 * reconcile deploys it; a failed build or health check goes back to the
 * model as evidence for at most `ai.repairRounds` fixes. No side door: a
 * generated app is deployed exactly like a pushed one.
 */
export function createGenerator(deps: GeneratorDeps): Generator {
  const generations = new Map<string, Generation>();
  const running = new Set<Promise<void>>();

  function step(generation: Generation, text: string, status?: Generation['status']): void {
    if (status !== undefined && deadlinePassed(generation) && !FINISHED.has(status)) throw new Error(`stopped: the generation ran longer than ${GENERATION_DEADLINE_MS / 60_000} minutes`);
    text = text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
    generation.steps.push({ at: deps.now().toISOString(), text });
    if (status) generation.status = status;
    deps.log.info('generation', { generation: generation.id, repo: generation.repo, app: generation.app, status: generation.status, step: text });
  }

  function deadlinePassed(generation: Generation): boolean {
    return deps.now().getTime() - Date.parse(generation.startedAt) > GENERATION_DEADLINE_MS;
  }

  function finish(generation: Generation, status: Generation['status'], message: string): void {
    generation.status = status;
    generation.message = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
    generation.finishedAt = deps.now().toISOString();
    step(generation, message);
  }

  function repoOf(request: GenerateRequest): RepoConfig {
    const repos = deps.config.repos;
    if (request.repo) {
      const repo = repos.find((item) => item.name === request.repo);
      if (!repo) throw new GenerationRequestError(`no repo named ${request.repo} in ${deps.config.file} — use one of ${repos.map((item) => item.name).join(', ')}`);
      return repo;
    }
    if (repos.length === 1) return repos[0]!;
    throw new GenerationRequestError(`this agent watches ${repos.length} repos — name one with --repo (${repos.map((item) => item.name).join(', ')})`);
  }

  async function run(generation: Generation, request: GenerateRequest, repo: RepoConfig): Promise<void> {
    const ai = deps.config.ai!;
    const client = deps.clientFor({ provider: request.provider, model: request.model });
    let failure: string | undefined;
    let lastFailure: string | undefined;
    for (let round = 0; round <= (request.dryRun ? 0 : ai.repairRounds); round += 1) {
      // 1. What the repo holds now.
      const gitdir = deps.gitdirOf(repo.name);
      let head = await deps.fetchHead(repo);
      const context = await readAppContext(gitdir, head, repo.manifestPath, generation.app);

      // 2. Ask the model (a cut-off answer is completed file by file, or refused).
      step(generation, round === 0 ? `asking ${client.provider} ${client.model}` : `repair round ${round}: asking ${client.model} for a fix`, round === 0 ? 'generating' : 'repairing');
      const answer = await obtainAnswer(client, {
        system: SYSTEM_PROMPT,
        user: renderUserMessage({ prompt: generation.prompt, app: generation.app, folder: context.folder, currentFiles: context.files, currentEntry: context.entry, failure }),
        maxOutputTokens: ai.maxOutputTokens,
        onProgress: (text) => step(generation, text),
      });

      // 3. Check it against the head; on a moved branch, against the new head.
      for (let attempt = 1; ; attempt += 1) {
        step(generation, 'checking the answer', 'checking');
        const checked = await checkAgainst(gitdir, head, repo, generation.app, context.folder, answer);
        if (!checked.ok) return finish(generation, 'refused', `the model's answer was refused, nothing was committed:\n- ${checked.problems.join('\n- ')}`);
        const claimed = unaskedDomains(answer, context.domains, generation.prompt);
        if (claimed.length > 0) return finish(generation, 'refused', `the model's answer was refused, nothing was committed:\n- it routes ${claimed.map((domain) => JSON.stringify(domain.slice(0, 100))).join(', ')} to the app, which neither the app had nor the request names — name the hostname in the request, or add it to nexus.yaml yourself`);
        Object.assign(generation, { files: Object.keys(checked.files).sort(), build: checked.build, summary: checked.summary });
        if (request.dryRun) {
          generation.preview = { files: checked.files, manifestBefore: context.manifestText ?? '', manifestAfter: checked.manifestText };
          return finish(generation, 'dry-run', `dry run: ${Object.keys(checked.files).length} files checked, nothing committed (${checked.build})`);
        }

        // 4. One commit on the head, pushed as a fast-forward.
        step(generation, `committing ${Object.keys(checked.files).length} files`, 'committing');
        const commit = await writeCommit(gitdir, head, checked.files, {
          author: AI_AUTHOR,
          message: commitMessage(generation, client, checked.summary, round),
        });
        try {
          await pushCommit(gitdir, { name: repo.name, url: repo.url, branch: repo.branch, token: repo.tokenEnv ? process.env[repo.tokenEnv] : undefined }, commit);
          generation.rounds.push({ round, commit });
          step(generation, `pushed ${commit.slice(0, 7)} to ${repo.branch}`);
          break;
        } catch (error) {
          if (!(error instanceof PushFailedError) || !error.data.rejected || attempt >= PUSH_ATTEMPTS) throw error;
          // Someone pushed meanwhile: never force. Make the commit again on the new head, unless they touched the same files.
          const moved = await deps.fetchHead(repo);
          const clash = await changedBetween(gitdir, head, moved, Object.keys(checked.files).filter((path) => path !== repo.manifestPath));
          if (clash.length > 0) return finish(generation, 'failed', `the branch moved while the app was generated and the new commits change ${clash.join(', ')} too — nothing was pushed; run the generation again`);
          step(generation, `${repo.branch} moved to ${moved.slice(0, 7)} meanwhile: committing again on top of it`);
          head = moved;
        }
      }

      // 5. The ordinary GitOps path deploys it.
      const commit = generation.rounds.at(-1)!.commit!;
      step(generation, `deploying ${commit.slice(0, 7)}`, 'deploying');
      // A sync returns once the repo's work is done; a transient failure (git, Docker) leaves the deploy for the next one.
      let outcome: DeployOutcome = { outcome: 'pending' };
      for (let attempt = 1; attempt <= SYNC_ATTEMPTS && outcome.outcome === 'pending'; attempt += 1) {
        await deps.sync(repo.name);
        outcome = await deps.deployOutcome(repo.name, generation.app, commit);
      }
      const current = generation.rounds.at(-1)!;
      if (outcome.outcome === 'success') {
        current.outcome = 'success';
        return finish(generation, 'live', `live at revision ${commit.slice(0, 7)}${round > 0 ? ` after ${round} repair round${round > 1 ? 's' : ''}` : ''}`);
      }
      if (outcome.outcome === 'held' || outcome.outcome === 'pending') {
        current.outcome = 'held';
        current.message = outcome.outcome === 'held' ? outcome.reason : 'the deploy has not finished';
        return finish(generation, 'failed', `committed ${commit.slice(0, 7)}, but it is not deployed: ${current.message}`);
      }
      current.outcome = 'failed';
      current.message = outcome.evidence.split('\n')[0];
      // 6. Self-repair: the real evidence goes back to the model, unless it is the same failure again.
      const signature = outcome.evidence.split('\n')[0]!;
      if (signature === lastFailure) return finish(generation, 'failed', `the same failure twice, so no more repairs: ${signature}`);
      lastFailure = signature;
      failure = outcome.evidence;
      if (round === ai.repairRounds) return finish(generation, 'failed', `still failing after ${ai.repairRounds} repair rounds: ${signature} — the previous release keeps serving`);
      step(generation, `deploy of ${commit.slice(0, 7)} failed: ${signature}`);
    }
  }

  async function checkAgainst(gitdir: string, head: string, repo: RepoConfig, app: string, folder: string, answer: unknown) {
    const manifestText = await readFileAt(gitdir, head, repo.manifestPath);
    const entries = (await listTreeAt(gitdir, head, '.', { entries: 100_000, pathLength: 1_024, submodules: true })) ?? [];
    const byPath = new Map(entries.map((entry) => [entry.path, entry]));
    return checkAnswer({
      answer, appName: app, appFolder: folder, manifestPath: repo.manifestPath, manifestText,
      repoFiles: entries.map((entry) => ({ path: entry.path, mode: entry.mode })),
      readRepoFile: async (path) => Buffer.from(await readBlob(gitdir, byPath.get(path)!.oid)).toString('utf8'),
      forbiddenValues: deps.forbiddenValues(),
    });
  }

  return {
    start(request) {
      if (!deps.config.ai) throw new GenerationRequestError(`AI generation is off: add an \`ai:\` section to ${deps.config.file} (provider, model, apiKeyEnv)`);
      const repo = repoOf(request);
      const active = [...generations.values()].filter((item) => !FINISHED.has(item.status));
      if (active.some((item) => item.repo === repo.name && item.app === request.app)) throw new GenerationBusyError(`a generation of ${repo.name}/${request.app} is already running — wait for it (nexus generate prints its progress)`, active.length);
      if (active.length >= MAX_RUNNING) throw new GenerationBusyError(`${active.length} generations are running, the most this agent runs at once — try again when one has ended`, active.length);
      const client = deps.clientFor({ provider: request.provider, model: request.model });
      const generation: Generation = {
        id: deps.newId(), repo: repo.name, app: request.app, prompt: request.prompt, provider: client.provider, model: client.model,
        status: 'generating', steps: [], rounds: [], startedAt: deps.now().toISOString(),
      };
      generations.set(generation.id, generation);
      // The oldest finished records go first; a running one is never forgotten.
      const finished = [...generations.values()].filter((item) => FINISHED.has(item.status));
      for (const item of finished.slice(0, Math.max(0, generations.size - KEPT))) generations.delete(item.id);
      for (const item of finished.slice(0, Math.max(0, finished.length - PREVIEWS_KEPT))) delete item.preview;
      const work = run(generation, request, repo)
        .catch((error: unknown) => finish(generation, 'failed', describeError(error)))
        .finally(() => {
          if (!FINISHED.has(generation.status)) finish(generation, 'failed', 'ended without an outcome');
          running.delete(work);
        });
      running.add(work);
      return generation;
    },
    get: (id) => generations.get(id),
    list: () => [...generations.values()].reverse(),
    async idle() {
      await Promise.all([...running]);
    },
  };
}

/** The commit message: the prompt, provider and model, with a trailer naming the generation. */
function commitMessage(generation: Generation, client: ModelClient, summary: string, round: number): string {
  const subject = `${round === 0 ? 'Generate' : `Repair (round ${round})`} ${generation.app}: ${oneLine(generation.prompt, 60)}`;
  return `${subject}\n\n${oneLine(summary, 2000)}\n\nPrompt: ${oneLine(generation.prompt, 2000)}\nProvider: ${client.provider} ${client.model}\n\nNexus-Generation: ${generation.id}\n`;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The app's folder, its current entry and files (capped), as the model's context. */
async function readAppContext(gitdir: string, head: string, manifestPath: string, app: string) {
  const manifestText = await readFileAt(gitdir, head, manifestPath);
  const parsed = manifestText === undefined ? undefined : parseManifest(manifestText, manifestPath);
  const spec = parsed?.ok ? parsed.manifest.apps.find((item) => item.name === app) : undefined;
  const folder = spec?.build.context ?? `apps/${app}`;
  // The folder comes from a pushed manifest: never let a generation write into git's own files.
  if (folder.split('/').some((segment) => segment.toLowerCase() === '.git')) throw new GenerationRequestError(`app ${app} is built from ${folder}, a folder the generator never writes to — move the app to another build.context`);
  const files: Record<string, string> = {};
  let entry: string | undefined;
  if (spec) {
    entry = JSON.stringify({ port: spec.port, domains: spec.domains, health: spec.health, database: spec.database ?? null, env: spec.env }, null, 2);
    let bytes = 0;
    for (const file of ((await listTreeAt(gitdir, head, folder)) ?? []).slice(0, CONTEXT_FILES)) {
      const content = Buffer.from(await readBlob(gitdir, file.oid));
      if (content.includes(0) || bytes + content.length > CONTEXT_BYTES) continue;
      bytes += content.length;
      files[file.path] = content.toString('utf8');
    }
  }
  return { folder, files, entry, manifestText, domains: spec?.domains ?? [] };
}

/** Which of `paths` differ between two commits. */
async function changedBetween(gitdir: string, from: string, to: string, paths: string[]): Promise<string[]> {
  const changed: string[] = [];
  for (const path of paths) {
    const [before, after] = await Promise.all([readFileAt(gitdir, from, path), readFileAt(gitdir, to, path)]);
    if (before !== after) changed.push(path);
  }
  return changed;
}

/**
 * Hostnames the answer routes to the app that it had not and that the
 * request does not name: a model (perhaps prompted by text in the repo)
 * must not claim a domain on its own.
 */
function unaskedDomains(answer: unknown, current: string[], prompt: string): string[] {
  const domains = (answer as { app?: { domains?: unknown } })?.app?.domains;
  if (!Array.isArray(domains)) return [];
  const asked = prompt.toLowerCase();
  return domains.map(String).filter((domain) => !current.includes(domain) && !asked.includes(domain.toLowerCase()));
}
