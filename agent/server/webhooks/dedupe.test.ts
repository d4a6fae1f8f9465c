/** The bounded memory of delivery ids. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDeliveryMemory } from './dedupe.ts';

test('an id is new once, then seen', () => {
  const memory = createDeliveryMemory();
  assert.is(memory.seen('d1'), false);
  assert.is(memory.seen('d1'), true);
  assert.is(memory.seen('d2'), false);
  assert.is(memory.seen('d1'), true);
});

test('only the last N ids are remembered, oldest forgotten first', () => {
  const memory = createDeliveryMemory(3);
  for (const id of ['a', 'b', 'c']) assert.is(memory.seen(id), false);
  assert.is(memory.seen('d'), false); // forgets a
  assert.is(memory.seen('b'), true);
  assert.is(memory.seen('a'), false); // new again, forgets b
  assert.is(memory.seen('b'), false);
  assert.is(memory.seen('d'), true);
});

test('the default remembers a thousand', () => {
  const memory = createDeliveryMemory();
  for (let i = 0; i < 1000; i++) memory.seen(`id-${i}`);
  assert.is(memory.seen('id-0'), true);
  assert.is(memory.seen('id-1000'), false); // forgets id-0
  assert.is(memory.seen('id-1'), true);
  assert.is(memory.seen('id-0'), false);
});

test('a size that is not a positive integer is a programming error', () => {
  for (const size of [0, -1, 1.5, Number.NaN]) assert.throws(() => createDeliveryMemory(size), /positive integer/);
});

test.run();
