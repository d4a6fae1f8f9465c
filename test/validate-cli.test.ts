/**
 * `nexus validate` as a user runs it: the real CLI process, on every bad
 * fixture (each must exit non-zero and point at its problem) and on the
 * good ones (exit 0).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BAD = path.join(ROOT, 'test/fixtures/manifests/bad');
const GOOD = path.join(ROOT, 'test/fixtures/manifests/good');

function nexus(...args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'agent/cli/bin.mjs'), ...args], { cwd: ROOT }, (error, stdout) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout });
    });
  });
}

const badFiles = readdirSync(BAD).filter((name) => name.endsWith('.yaml')).sort();

test('there are at least 10 bad manifests', () => {
  assert.ok(badFiles.length >= 10, `${badFiles.length} fixtures`);
});

for (const name of badFiles) {
  test(`nexus validate ${name} exits 1 and points at the problem`, async () => {
    const expect = /^# expect: (\d+):(\d+) (.+)$/m.exec(readFileSync(path.join(BAD, name), 'utf8'));
    assert.ok(expect, `${name} has no "# expect:" line`);
    const [, line, column, message] = expect!;
    const relative = path.relative(ROOT, path.join(BAD, name));
    const result = await nexus('validate', relative);
    assert.is(result.code, 1);
    assert.ok(result.stdout.startsWith(`${relative}:${line}:${column}: `), result.stdout);
    assert.ok(result.stdout.includes(message!), `expected "${message}" in: ${result.stdout}`);
    assert.match(result.stdout, / — /, 'every message says what to do');
  });
}

test('nexus validate on the good manifests and examples/hello exits 0', async () => {
  const result = await nexus('validate', GOOD, path.join(ROOT, 'examples/hello/nexus.yaml'));
  assert.is(result.code, 0, result.stdout);
  assert.match(result.stdout, /examples\/hello\/nexus\.yaml: ok \(1 app\)/);
});

test('a missing file is an error, not a crash', async () => {
  const result = await nexus('validate', 'no/such/nexus.yaml');
  assert.is(result.code, 1);
  assert.match(result.stdout, /no\/such\/nexus\.yaml: cannot read the file/);
});

test.run();
