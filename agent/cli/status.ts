import { loadAgentConfig } from '../config/index.ts';
import type { StatusReport } from '../reconcile/index.ts';
import { callAgent } from './api.ts';

export const usage = 'nexus status --config FILE [--json]   show each repo and app: sync, health, revisions, last attempt';

/** A generation as /status lists it. */
export interface GenerationSummary {
  id: string;
  repo: string;
  app: string;
  status: string;
  message?: string;
}

type Report = StatusReport & { generations?: GenerationSummary[] };

/** `nexus status`: asks the running agent's status server. */
export async function runStatus(options: { config: string; json: boolean }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const config = await loadAgentConfig(options.config);
  const report = await callAgent<Report>(config, 'GET', '/status');
  if (options.json) {
    out.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  out.write(renderStatus(report));
  return 0;
}

/** Human-readable status: one block per repo, one line per app (with what it is built as), then AI generations. */
export function renderStatus(report: Report): string {
  const lines: string[] = [];
  for (const repo of report.repos) {
    lines.push(`${repo.name}  ${repo.url}#${repo.branch}  ${repo.revision?.slice(0, 7) ?? '-'}`);
    if (repo.error) for (const line of repo.error.split('\n')) lines.push(`  ! ${line}`);
    for (const app of repo.apps) {
      const attempt = app.lastAttempt ? `last ${app.lastAttempt.status} ${app.lastAttempt.revision.slice(0, 7)}` : 'no attempt';
      lines.push(`  ${app.name.padEnd(16)} ${app.sync.padEnd(10)} ${app.health.padEnd(12)} applied ${app.appliedRevision?.slice(0, 7) ?? '-'}  ${attempt}  ${app.urls.join(' ')}`);
      if (app.build) lines.push(`    build: ${app.build}`);
      if (app.lastAttempt?.status === 'failed' && app.lastAttempt.message) lines.push(`    ! ${app.lastAttempt.message}`);
      if (app.held) lines.push(`    held: ${app.held}`);
      if (app.pinned) lines.push(`    pinned: release ${app.pinned.release ?? app.pinned.deployment} (revision ${app.pinned.revision.slice(0, 7)}) by rollback — a new commit that changes this app ends the pin`);
    }
  }
  for (const orphan of report.orphanedDatabases ?? []) {
    lines.push(`orphaned database ${orphan.database} of ${orphan.repo}/${orphan.app} (app removed; data kept) — \`nexus db drop ${orphan.repo}/${orphan.app} --yes\` deletes it`);
  }
  for (const generation of report.generations ?? []) {
    lines.push(`generation ${generation.id} ${generation.repo}/${generation.app}: ${generation.status}${generation.message ? ` — ${generation.message.split('\n')[0]}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
