/**
 * Benchmark (not a test): generated builds per kind of app. For each
 * framework fixture: a first build whose dependency install is cold (the
 * package.json / requirements.txt carries this run's id, so no layer of an
 * earlier build matches; base images are local), then source-only changes
 * rebuilt, through the agent's own build code (detection from the git
 * tree, generated Dockerfile, filtered context). Docker's --no-cache is not
 * used for the first build: layers it makes are not reused afterwards by
 * the classic builder, which would hide the very reuse measured here.
 *
 *   npm run bench:builds                    # every kind, 3 rebuilds each
 *   npm run bench:builds -- vite nextjs     # chosen kinds
 *
 * Prints one row per kind: cold build, median rebuild after a source-only
 * change, their ratio, the image size, and whether the rebuild reused the
 * dependency install layer (read from the build log). Builds run one at a
 * time; everything made is removed at the end.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { buildImage, contextFiles, packBuildContext, planBuild } from '../../agent/build/index.ts';
import { DEFAULT_BASE_IMAGES } from '../../agent/config/index.ts';
import { parseManifest } from '../../agent/manifest/index.ts';
import type { BuildPlan } from '../../agent/build/index.ts';

/** The file each rebuild edits (a source file, never package.json or the lock file). */
const KINDS: Record<string, { source: string; port: number }> = {
  nextjs: { source: 'app/page.js', port: 3000 },
  vite: { source: 'src/App.tsx', port: 8080 },
  astro: { source: 'src/pages/index.astro', port: 8080 },
  nuxt: { source: 'app/app.vue', port: 3000 },
  sveltekit: { source: 'src/routes/+page.svelte', port: 3000 },
  static: { source: 'index.html', port: 8080 },
  node: { source: 'server.js', port: 3000 },
  python: { source: 'main.py', port: 8000 },
};
const REBUILDS = 3;
const ROOT = path.resolve(import.meta.dirname, '../..');
const chosen = process.argv.slice(2).filter((arg) => arg in KINDS);
const kinds = chosen.length > 0 ? chosen : Object.keys(KINDS);
const docker = new Docker();
const run = `bench${randomBytes(3).toString('hex')}`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function commit(dir: string, message: string): Promise<string> {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@localhost', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@localhost' } }).toString().trim();
  git('add', '-A');
  git('commit', '-q', '-m', message);
  return git('rev-parse', 'HEAD');
}

async function timedBuild(gitdir: string, revision: string, kind: string, tag: string): Promise<{ ms: number; log: string; plan: BuildPlan }> {
  const manifest = parseManifest(`version: 1\napps:\n  ${kind}:\n    port: ${KINDS[kind]!.port}\n`, 'nexus.yaml');
  if (!manifest.ok) throw new Error('bad manifest');
  const plan = await planBuild({ gitdir, revision, spec: manifest.manifest.apps[0]!, manifestPath: 'nexus.yaml', images: DEFAULT_BASE_IMAGES });
  const started = performance.now();
  const result = await buildImage(docker, { tag, context: packBuildContext(contextFiles(gitdir, revision, plan)), dockerfile: plan.dockerfile, labels: { 'nexus.bench': run } });
  return { ms: performance.now() - started, log: result.log, plan };
}

/** Gives the dependency manifest this run's id, so its install layer is built afresh. */
async function makeInstallCold(dir: string): Promise<void> {
  const pkg = path.join(dir, 'package.json');
  const text = await readFile(pkg, 'utf8').catch(() => undefined);
  if (text !== undefined) await writeFile(pkg, JSON.stringify({ ...JSON.parse(text), description: `bench ${run}` }, null, 2));
  const requirements = path.join(dir, 'requirements.txt');
  const wanted = await readFile(requirements, 'utf8').catch(() => undefined);
  if (wanted !== undefined) await writeFile(requirements, `${wanted}# bench ${run}\n`);
}

function installReused(log: string, plan: BuildPlan): boolean {
  const install = plan.detection?.install;
  if (!install) return true;
  const step = log.split(/^Step \d+\/\d+ : /m).find((part) => part.startsWith(`RUN ${install}`));
  return step !== undefined && /^ ---> Using cache$/m.test(step);
}

const rows: string[] = [];
const made: string[] = [];
try {
  for (const kind of kinds) {
    const dir = await mkdtemp(path.join(tmpdir(), `nexus-bench-${kind}-`));
    await cp(path.join(ROOT, 'test/fixtures/frameworks', kind), dir, { recursive: true });
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
    await makeInstallCold(dir);
    const gitdir = path.join(dir, '.git');
    const first = await timedBuild(gitdir, await commit(dir, 'first'), kind, `nexus/${run}:${kind}-0`);
    made.push(`nexus/${run}:${kind}-0`);
    const size = (await docker.getImage(`nexus/${run}:${kind}-0`).inspect()).Size;
    const rebuilds: number[] = [];
    let reused = true;
    for (let index = 1; index <= REBUILDS; index += 1) {
      const file = path.join(dir, KINDS[kind]!.source);
      await writeFile(file, `${await readFile(file, 'utf8')}\n${kind === 'python' ? '#' : kind === 'static' || kind === 'nuxt' || kind === 'sveltekit' || kind === 'astro' ? '<!-- edit -->' : '//'} edit ${index}\n`);
      const rebuilt = await timedBuild(gitdir, await commit(dir, `edit ${index}`), kind, `nexus/${run}:${kind}-${index}`);
      made.push(`nexus/${run}:${kind}-${index}`);
      rebuilds.push(rebuilt.ms);
      reused &&= installReused(rebuilt.log, rebuilt.plan);
    }
    const rebuild = median(rebuilds);
    const row = `| ${kind} | ${(first.ms / 1000).toFixed(1)} s | ${(rebuild / 1000).toFixed(1)} s | ${(first.ms / rebuild).toFixed(1)}× | ${(size / 1e6).toFixed(0)} MB | ${reused ? 'yes' : 'no'} |`;
    rows.push(row);
    console.error(row);
    await rm(dir, { recursive: true, force: true });
  }
} finally {
  for (const tag of made.reverse()) await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
}
console.log(`\nGenerated builds (${REBUILDS} source-only rebuilds per kind, median; first build = cold dependency install)\n`);
console.log('| kind | first build | rebuild (median) | ratio | image size | install layer reused |');
console.log('|---|---:|---:|---:|---:|---|');
for (const row of rows) console.log(row);
