import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRedactor, REDACTED } from './index.ts';

test('remembered values are replaced wherever they occur', () => {
  const redactor = createRedactor();
  assert.is(redactor.redact('nothing remembered yet: hunter22'), 'nothing remembered yet: hunter22');
  assert.ok(redactor.remember('hunter22'));
  assert.ok(redactor.remember('sk_live_abc'));
  assert.is(redactor.redact('pw=hunter22 key=sk_live_abc again hunter22.'), `pw=${REDACTED} key=${REDACTED} again ${REDACTED}.`);
  assert.is(redactor.redact('hunter2 is not it'), 'hunter2 is not it');
});

test('regex characters in a secret are taken literally', () => {
  const redactor = createRedactor();
  redactor.remember('a.b*c(d)[e]$');
  assert.is(redactor.redact('x a.b*c(d)[e]$ y aXbbc(d)[e]$'), `x ${REDACTED} y aXbbc(d)[e]$`);
});

test('a secret containing another is replaced whole', () => {
  const redactor = createRedactor();
  redactor.remember('token');
  redactor.remember('token-with-suffix');
  assert.is(redactor.redact('token-with-suffix / token'), `${REDACTED} / ${REDACTED}`);
});

test('URL- and JSON-escaped forms are replaced too', () => {
  const redactor = createRedactor();
  redactor.remember('p@ss/w"rd');
  assert.is(redactor.redact('postgres://app:p%40ss%2Fw%22rd@db/app'), `postgres://app:${REDACTED}@db/app`);
  assert.is(redactor.redact(JSON.stringify({ password: 'p@ss/w"rd' })), `{"password":"${REDACTED}"}`);
});

test('values shorter than 4 characters are not redacted (and remember says so)', () => {
  const redactor = createRedactor();
  assert.is(redactor.remember('1'), false);
  assert.is(redactor.remember('abc'), false);
  assert.is(redactor.remember('abcd'), true);
  assert.is(redactor.redact('port 1, abc, abcd'), `port 1, abc, ${REDACTED}`);
});

test('redactDeep copies JSON-like values with every string redacted', () => {
  const redactor = createRedactor();
  redactor.remember('s3cr3t-value');
  const input = {
    app: 'web',
    env: { API_KEY: 's3cr3t-value', PORT: '3000' },
    list: ['a', 'before s3cr3t-value after', 3, true, null],
    nested: [{ deep: { deeper: 's3cr3t-value' } }],
    's3cr3t-value': 'as a key',
    when: new Date(0),
    error: new Error('connect failed for s3cr3t-value'),
  };
  const output = redactor.redactDeep(input);
  assert.equal(output as unknown, {
    app: 'web',
    env: { API_KEY: REDACTED, PORT: '3000' },
    list: ['a', `before ${REDACTED} after`, 3, true, null],
    nested: [{ deep: { deeper: REDACTED } }],
    [REDACTED]: 'as a key',
    when: '1970-01-01T00:00:00.000Z',
    error: { name: 'Error', message: `connect failed for ${REDACTED}` },
  });
  assert.is(input.env.API_KEY, 's3cr3t-value', 'the input is not changed');
  assert.not.ok(JSON.stringify(output).includes('s3cr3t'));
});

test('redactDeep survives cycles and keeps shared references', () => {
  const redactor = createRedactor();
  redactor.remember('s3cr3t-value');
  const shared = { v: 's3cr3t-value' };
  const cyclic: Record<string, unknown> = { a: shared, b: shared };
  cyclic.self = cyclic;
  assert.equal(redactor.redactDeep(cyclic) as unknown, { a: { v: REDACTED }, b: { v: REDACTED }, self: '[circular]' });
});

test.run();
