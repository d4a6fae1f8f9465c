import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { summariseBuildFailure } from './build-log.ts';

const TS_ERROR = `src/main.ts(3,10): error TS2305: Module '"./lib"' has no exported member 'nope'.`;
const DOCKER_ERROR = "The command '/bin/sh -c npm run build' returned a non-zero code: 2";

// What the classic builder streams for a vite app whose `tsc` fails, as saved by buildImage
// (which appends Docker's error event as `ERROR: …`).
const LOG = [
  'Step 1/9 : FROM node:20-bookworm-slim AS build',
  ' ---> 5c1a8d2e7f90',
  'Step 2/9 : WORKDIR /app',
  ' ---> Using cache',
  ' ---> 7d3b6f1a2c44',
  'Step 3/9 : COPY ["package.json", "package-lock.json", "./"]',
  ' ---> Using cache',
  ' ---> 9e8f7a6b5c4d',
  'Step 4/9 : RUN npm ci',
  ' ---> Using cache',
  ' ---> 1f2e3d4c5b6a',
  'Step 5/9 : COPY . .',
  ' ---> 3a4b5c6d7e8f',
  'Step 6/9 : RUN rm -rf .nexus-build',
  ' ---> Running in 0a1b2c3d4e5f',
  'Removing intermediate container 0a1b2c3d4e5f',
  ' ---> 6f5e4d3c2b1a',
  'Step 7/9 : RUN npm run build',
  ' ---> Running in abc',
  '',
  '> web@0.0.0 build',
  '> tsc && vite build',
  '',
  TS_ERROR,
  'npm notice ',
  'npm notice New minor version of npm available! 11.5.0 -> 11.8.1',
  `ERROR: ${DOCKER_ERROR}`,
  '',
].join('\n');

test('a failing npm run build: the command, its exit code and the TypeScript error', () => {
  const summary = summariseBuildFailure(DOCKER_ERROR, LOG);
  assert.ok(summary.startsWith('npm run build failed (exit code 2)'), summary);
  assert.ok(summary.includes(TS_ERROR), summary);
  assert.is(summary, `npm run build failed (exit code 2): > web@0.0.0 build | > tsc && vite build | ${TS_ERROR}`);
});

test('only the failed step\'s output is summarised, without Docker\'s or npm\'s noise', () => {
  const summary = summariseBuildFailure(DOCKER_ERROR, LOG);
  for (const noise of ['Running in', 'Step ', 'npm notice', 'ERROR: The command', 'rm -rf', 'Using cache']) {
    assert.not.ok(summary.includes(noise), `no "${noise}" in: ${summary}`);
  }
});

test('a long output keeps its last lines, trimmed', () => {
  const lines = Array.from({ length: 20 }, (_, index) => `  src/file${index}.ts(1,1): error TS1005: ';' expected.`);
  const log = ['Step 7/9 : RUN npm run build', ' ---> Running in abc', ...lines].join('\n');
  const summary = summariseBuildFailure(DOCKER_ERROR, log, 3);
  assert.is(summary, `npm run build failed (exit code 2): ${lines.slice(-3).map((line) => line.trim()).join(' | ')}`);
});

test('a step with no output names the command and code only', () => {
  const log = 'Step 4/9 : RUN npm ci\n ---> Running in abc\n';
  assert.is(summariseBuildFailure("The command '/bin/sh -c npm ci' returned a non-zero code: 1", log), 'npm ci failed (exit code 1)');
});

test('an error that is not a step failure is returned trimmed as is', () => {
  const error = '  pull access denied for registry.test/node, repository does not exist or may require \'docker login\'\n';
  assert.is(summariseBuildFailure(error, LOG), "pull access denied for registry.test/node, repository does not exist or may require 'docker login'");
  assert.is(summariseBuildFailure('\tCannot locate specified Dockerfile: .nexus-build/Dockerfile \n', ''), 'Cannot locate specified Dockerfile: .nexus-build/Dockerfile');
});

test("Docker's colouring of a step's stderr is left out of the summary", () => {
  const log = 'Step 3/5 : RUN npm run build\n ---> Running in abc\n\u001b[91mE_FIRST: missing semicolon\n\u001b[0m';
  const summary = summariseBuildFailure("The command '/bin/sh -c npm run build' returned a non-zero code: 1", log);
  assert.is(summary, 'npm run build failed (exit code 1): E_FIRST: missing semicolon');
});

test.run();
