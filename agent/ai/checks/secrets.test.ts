import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { looksRandom, scanText, shannonEntropy } from './secrets.ts';

test('ordinary config values do not look random', () => {
  for (const value of ['production', '3000', 'https://api.example.com/v1', 'redis://cache:6379/0', 'postgres://worker@db.example.test/jobs',
    '--max-old-space-size=512', 'Europe/Berlin', 'en_US.UTF-8', '550e8400-e29b-41d4-a716-446655440000', 'This is 1 short sentence for the app', 'todo.nexus.localhost:3000']) {
    assert.not.ok(looksRandom(value), value);
  }
});

test('keys and tokens look random, also inside a URL', () => {
  for (const value of ['q8Zr2LmX9vT4pW7nK3sB6yD1', 'a8f5f167f44f4964e6c998dee827110c', 'dGhpcyBpcyBhIHNlY3JldCBrZXkgMTIzNDU2Nzg5MA==',
    'https://hooks.example.com/services/T0A1B2C3D/B0A1B2C3D/q8Zr2LmX9vT4pW7nK3sB6yD1']) {
    assert.ok(looksRandom(value), value);
  }
});

test('entropy is bits per character', () => {
  assert.is(shannonEntropy('aaaa'), 0);
  assert.is(shannonEntropy('abab'), 1);
  assert.is(shannonEntropy('abcd'), 2);
});

test('scanText names each kind once, in the order found, and skips look-alikes', () => {
  const text = `x\nAKIAIOSFODNN7EXAMPLE AKIAIOSFODNN7EXAMPLF\n-----BEGIN RSA PRIVATE KEY-----\nprotected`;
  assert.equal(scanText(text, ['protected']).map((hit) => hit.kind), ['an AWS access key id', 'a private key', 'a protected value (one the agent never lets into the repository, such as its provider API key)']);
  assert.equal(scanText('const task-runner-for-the-disk-usage = 1; // sk-short', []), []);
});

test('a 5 MB text is scanned quickly', () => {
  const text = `${'sk-'.repeat(500_000)}${'ghp_'.repeat(500_000)}${'a'.repeat(1_000_000)}`;
  const started = Date.now();
  scanText(text, ['never-there']);
  assert.ok(Date.now() - started < 1_000, `${Date.now() - started} ms`);
});

test.run();
