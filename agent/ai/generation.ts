/** What a generation is, as status and the API show it. */

export type GenerationStatus =
  | 'generating' // asking the model
  | 'checking' // validating its answer
  | 'committing' // writing and pushing the commit
  | 'deploying' // the ordinary GitOps path builds and starts it
  | 'repairing' // the deploy failed: asking the model for a fix
  | 'live' // the generated commit serves
  | 'dry-run' // checked, shown, not committed
  | 'refused' // the answer failed a check: nothing committed
  | 'failed'; // a provider error, a push failure, or repairs exhausted

export const FINISHED: ReadonlySet<GenerationStatus> = new Set(['live', 'dry-run', 'refused', 'failed']);

export interface GenerationRound {
  /** 0 is the first answer; 1.. are repairs. */
  round: number;
  commit?: string;
  /** The deploy's outcome for this commit. */
  outcome?: 'success' | 'failed' | 'held';
  message?: string;
}

export interface Generation {
  id: string;
  repo: string;
  app: string;
  prompt: string;
  provider: string;
  model: string;
  status: GenerationStatus;
  /** Why it ended as it did (a refusal's problems, an error, the live URL). */
  message?: string;
  /** Progress lines, oldest first. */
  steps: { at: string; text: string }[];
  rounds: GenerationRound[];
  /** Files written by the last checked answer (repo paths). */
  files?: string[];
  /** What the platform will build (the detection line). */
  build?: string;
  summary?: string;
  /** --dry-run: the files and the manifest change, not committed. */
  preview?: { files: Record<string, string>; manifestBefore: string; manifestAfter: string };
  startedAt: string;
  finishedAt?: string;
}
