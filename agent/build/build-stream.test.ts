import { PassThrough } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readBuildStream, type BuildEvent } from './build-stream.ts';

test('events split across chunks are read whole, and the last error is returned', async () => {
  const stream = new PassThrough();
  const events: BuildEvent[] = [];
  const done = readBuildStream(stream, (event) => events.push(event));
  stream.write('{"stream":"Step 1/2 : FROM x\\n"}\n{"str');
  stream.write('eam":" ---> abc\\n"}\n');
  stream.write('{"error":"The command \'/bin/sh -c false\' returned a non-zero code: 1","errorDetail":{}}\n');
  stream.end();
  const result = await done;
  assert.equal(events.map((event) => event.stream ?? event.error), ['Step 1/2 : FROM x\n', ' ---> abc\n', "The command '/bin/sh -c false' returned a non-zero code: 1"]);
  assert.is(result.error, "The command '/bin/sh -c false' returned a non-zero code: 1");
});

test('endless output is passed on, not collected', async () => {
  const stream = new PassThrough();
  let count = 0;
  const done = readBuildStream(stream, () => { count += 1; });
  const line = `${JSON.stringify({ stream: 'y\n'.repeat(500) })}\n`;
  for (let index = 0; index < 2_000; index += 1) stream.write(line);
  stream.end();
  assert.equal(await done, { error: undefined });
  assert.is(count, 2_000);
});

test.run();
