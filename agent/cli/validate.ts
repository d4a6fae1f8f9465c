import fs from 'node:fs/promises';
import path from 'node:path';
import { parseManifest, formatProblem } from '../manifest/index.ts';

export const usage = 'nexus validate [FILE|DIR...]      check nexus.yaml files (default ./nexus.yaml); exits 1 on any problem';

/** `nexus validate`: prints each problem as file:line:column and returns the exit code. */
export async function runValidate(targets: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const files = await expandTargets(targets.length > 0 ? targets : ['nexus.yaml']);
  let failed = 0;
  for (const file of files) {
    const text = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) {
      out.write(`${file}: cannot read the file — check the path\n`);
      failed += 1;
      continue;
    }
    const result = parseManifest(text, file);
    if (result.ok) {
      out.write(`${file}: ok (${result.manifest.apps.length} app${result.manifest.apps.length === 1 ? '' : 's'})\n`);
    } else {
      failed += 1;
      for (const problem of result.problems) out.write(`${formatProblem(problem)}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}

/** A folder stands for the *.yaml / *.yml files directly inside it. */
async function expandTargets(targets: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const target of targets) {
    const stat = await fs.stat(target).catch(() => undefined);
    if (stat?.isDirectory()) {
      const names = (await fs.readdir(target)).filter((name) => /\.ya?ml$/.test(name)).sort();
      files.push(...names.map((name) => path.join(target, name)));
    } else {
      files.push(target);
    }
  }
  return files;
}
