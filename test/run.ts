/**
 * Runs the whole suite with uvu: the unit tests beside the code (agent/,
 * state/), then the integration tests in test/ that use the real dockerd,
 * nginx and git. Ends with the line `N passed, N failed` that CI reads.
 *
 *   node --import tsx test/run.ts [--unit] [pattern]
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const filter = args.find((arg) => !arg.startsWith('--'));

interface Stage { name: string; dir: string; pattern: string }
const stages: Stage[] = [
  { name: 'unit (agent/)', dir: 'agent', pattern: '\\.test\\.ts$' },
  { name: 'unit (state/)', dir: 'state', pattern: '\\.test\\.ts$' },
  ...(unitOnly ? [] : [{ name: 'integration (test/)', dir: 'test', pattern: '\\.test\\.ts$' }]),
];

let passed = 0;
let failed = 0;
let skipped = 0;
for (const stage of stages) {
  const pattern = filter ? `${filter}.*${stage.pattern}` : stage.pattern;
  process.stdout.write(`\n== ${stage.name}\n`);
  const result = await runUvu(stage.dir, pattern);
  passed += result.passed;
  failed += result.failed;
  skipped += result.skipped;
}
// Skips are reported on their own line: CI reads the last line, exactly `N passed, N failed`.
if (skipped) process.stdout.write(`\n${skipped} skipped (each skip states its reason above)\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 ? 1 : 0);

/** Runs uvu in a child process (one per stage), echoing its output and reading its totals. */
function runUvu(dir: string, pattern: string): Promise<{ passed: number; failed: number; skipped: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'node_modules/uvu/bin.js'), dir, pattern, '-i', 'node_modules'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      output += chunk.toString();
    });
    child.on('close', (code) => {
      const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
      const number = (label: string) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(plain)?.[1] ?? 0);
      const total = number('Total');
      const ok = number('Passed');
      const skip = number('Skipped');
      let bad = total - ok;
      // A file that failed to load, a crash outside any test, or a run that
      // ended without its summary (a test awaiting a promise that never
      // settles lets node exit silently) still counts as a failure.
      const summarised = /Total:\s+\d+/.test(plain);
      if ((code !== 0 || !summarised) && bad === 0 && !/No test files/.test(plain)) bad = 1;
      resolve({ passed: ok, failed: bad, skipped: skip });
    });
  });
}
