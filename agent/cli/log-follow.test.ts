import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { commonPrefixLength, overlapLength, unseenText } from './log-follow.ts';

test('an extension prints only what was added', () => {
  assert.is(unseenText('', 'Step 1/9\n'), 'Step 1/9\n');
  assert.is(unseenText('Step 1/9\n', 'Step 1/9\nStep 2/9\n'), 'Step 2/9\n');
  assert.is(unseenText('same', 'same'), '');
});

test('a tail that lost its start to the cap prints only the new end', () => {
  const shown = 'line 1\nline 2\nline 3\n';
  const next = `${shown}line 4\n`.slice(-18); // the store keeps the last 18 characters
  assert.is(next, 'e 2\nline 3\nline 4\n');
  assert.is(unseenText(shown, next), 'line 4\n');
});

test('a tail with nothing new prints nothing; a shorter rewrite of the start prints nothing', () => {
  assert.is(unseenText('abcdef', 'def'), '');
  assert.is(unseenText('abcdef', 'abc'), '');
});

test('a rewrite that keeps a common start prints from where it differs', () => {
  // The final write (the builder's own log) may end differently from the streamed one.
  assert.is(unseenText('Step 1\nStep 2 partial', 'Step 1\nStep 2 done\nStep 3\n'), 'done\nStep 3\n');
});

test('a wholly new text is printed whole', () => {
  assert.is(unseenText('old build output\n', 'rollback: reusing image x, no build\n'), 'rollback: reusing image x, no build\n');
});

test('a 64 000-character tail shifting by a little is merged in one pass', () => {
  const lines = Array.from({ length: 6000 }, (_, index) => `step ${index} output\n`).join('');
  const shown = lines.slice(-64_000);
  const next = `${shown}step 6000 output\n`.slice(-64_000);
  const started = Date.now();
  assert.is(unseenText(shown, next), 'step 6000 output\n');
  assert.ok(Date.now() - started < 500);
});

test('overlapLength and commonPrefixLength', () => {
  assert.is(overlapLength('abcab', 'abx'), 2);
  assert.is(overlapLength('aaaa', 'aaab'), 3);
  assert.is(overlapLength('abc', 'xyz'), 0);
  assert.is(overlapLength('xabc', 'abc'), 3);
  assert.is(overlapLength('', 'a'), 0);
  assert.is(commonPrefixLength('abcd', 'abxd'), 2);
  assert.is(commonPrefixLength('', 'a'), 0);
});

test.run();
