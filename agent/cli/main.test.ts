import { PassThrough } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from './main.ts';

async function runMain(argv: string[]) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (chunk) => (stdout += chunk));
  err.on('data', (chunk) => (stderr += chunk));
  const code = await main(argv, out, err);
  return { code, stdout, stderr };
}

for (const command of ['agent', 'validate', 'status', 'plan', 'history', 'logs', 'detect', 'rollback', 'secret', 'db', 'generate', 'sync']) {
  test(`nexus ${command} --help prints its own usage and exits 0`, async () => {
    const result = await runMain([command, '--help']);
    assert.is(result.code, 0);
    assert.match(result.stdout, new RegExp(`^usage:\\n  nexus ${command}`));
  });
}

test('an unknown option names the command and shows its usage', async () => {
  const result = await runMain(['sync', '--wiat']);
  assert.is(result.code, 2);
  assert.match(result.stderr, /^nexus sync: Unknown option '--wiat'/);
  assert.match(result.stderr, /usage:\n  nexus sync \[REPO\] \[--wait\]/);
});

test.run();
