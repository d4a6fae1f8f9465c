/**
 * Sync jobs started by webhooks (and the sync API): a job id answers at
 * once; requests arriving within a short window are coalesced into one
 * sync (20 pushes in a second → one fetch), and each job records the
 * outcome its repos reached.
 */
export interface JobOutcome {
  repo: string;
  apps: { name: string; sync: string; health: string; revision?: string; lastAttempt?: { status: string; message?: string } }[];
}

export interface Job {
  id: string;
  repos: string[];
  trigger: string;
  state: 'queued' | 'running' | 'done';
  createdAt: string;
  finishedAt?: string;
  outcome?: JobOutcome[];
}

export interface JobDeps {
  /** Runs one sync of the repos; resolves when its work is done. */
  sync(repos: string[]): Promise<void>;
  /** What the repos look like now (after the sync). */
  outcome(repos: string[]): JobOutcome[];
  newId(): string;
  now(): Date;
  /** How long to wait for more requests before syncing; default 250 ms. */
  coalesceMs?: number;
}

export interface Jobs {
  start(repos: string[], trigger: string): string;
  get(id: string): Job | undefined;
}

const KEPT = 200;

export function createJobs(deps: JobDeps): Jobs {
  const jobs = new Map<string, Job>();
  let batch: Job[] = [];
  let timer: NodeJS.Timeout | undefined;

  function flush(): void {
    const members = batch;
    batch = [];
    timer = undefined;
    const repos = [...new Set(members.flatMap((job) => job.repos))];
    for (const job of members) job.state = 'running';
    void deps.sync(repos).catch(() => undefined).then(() => {
      const finishedAt = deps.now().toISOString();
      for (const job of members) Object.assign(job, { state: 'done', finishedAt, outcome: deps.outcome(job.repos) });
    });
  }

  return {
    start(repos, trigger) {
      const job: Job = { id: deps.newId(), repos, trigger, state: 'queued', createdAt: deps.now().toISOString() };
      jobs.set(job.id, job);
      for (const id of [...jobs.keys()].slice(0, Math.max(0, jobs.size - KEPT))) jobs.delete(id);
      batch.push(job);
      timer ??= setTimeout(flush, deps.coalesceMs ?? 250);
      return job.id;
    },
    get: (id) => jobs.get(id),
  };
}
