/** Signature and token checks for each forge, against bodies signed here with node:crypto and one vector from GitHub's docs. */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyDelivery, type Verification } from './verify.ts';

const SECRET = 'It is a secret to everybody';
const body = readFileSync(new URL('fixtures/github-push.json', import.meta.url));
const hmac = (bytes: Uint8Array, secret = SECRET) => createHmac('sha256', secret).update(bytes).digest('hex');
const reasonOf = (result: Verification) => (result.ok ? 'ok' : result.reason);

test("GitHub's documented example: secret \"It's a Secret to Everybody\", body \"Hello, World!\"", () => {
  const signature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
  const result = verifyDelivery('github', { 'X-Hub-Signature-256': signature }, new TextEncoder().encode('Hello, World!'), "It's a Secret to Everybody");
  assert.equal(result, { ok: true });
});

test('GitHub: X-Hub-Signature-256 over the raw body', () => {
  const cases: [string, Record<string, string | undefined>, Uint8Array, string][] = [
    ['ok', { 'X-Hub-Signature-256': `sha256=${hmac(body)}` }, body, SECRET],
    ['ok', { 'x-hub-signature-256': `sha256=${hmac(body)}` }, body, SECRET],
    ['ok', { 'X-Hub-Signature-256': `sha256=${hmac(body).toUpperCase()}` }, body, SECRET],
    ['signature mismatch', { 'X-Hub-Signature-256': `sha256=${hmac(body, 'another secret')}` }, body, SECRET],
    ['signature mismatch', { 'X-Hub-Signature-256': `sha256=${hmac(body)}` }, Buffer.concat([body, Buffer.from(' ')]), SECRET],
    ['signature mismatch', { 'X-Hub-Signature-256': `sha256=${hmac(body)}` }, body, `${SECRET}!`],
    ['missing X-Hub-Signature-256 header (is a secret set on the webhook?)', {}, body, SECRET],
    ['missing X-Hub-Signature-256 header (is a secret set on the webhook?)', { 'X-Hub-Signature-256': '', 'X-Hub-Signature': 'sha1=0000' }, body, SECRET],
    ['malformed X-Hub-Signature-256 header (expected sha256=<64 hex digits>)', { 'X-Hub-Signature-256': hmac(body) }, body, SECRET],
    ['malformed X-Hub-Signature-256 header (expected sha256=<64 hex digits>)', { 'X-Hub-Signature-256': `sha1=${hmac(body)}` }, body, SECRET],
    ['malformed X-Hub-Signature-256 header (expected sha256=<64 hex digits>)', { 'X-Hub-Signature-256': `sha256=${hmac(body).slice(2)}` }, body, SECRET],
    ['malformed X-Hub-Signature-256 header (expected sha256=<64 hex digits>)', { 'X-Hub-Signature-256': `sha256=${hmac(body)}00` }, body, SECRET],
    ['malformed X-Hub-Signature-256 header (expected sha256=<64 hex digits>)', { 'X-Hub-Signature-256': `sha256=zz${hmac(body).slice(2)}` }, body, SECRET],
  ];
  for (const [expected, headers, bytes, secret] of cases) {
    assert.is(reasonOf(verifyDelivery('github', headers, bytes, secret)), expected, JSON.stringify(headers));
  }
});

test('Gitea and Forgejo: bare hex in their own header, X-Hub-Signature-256 as fallback', () => {
  const hex = hmac(body);
  const cases: [string, Record<string, string | undefined>][] = [
    ['ok', { 'X-Gitea-Signature': hex }],
    ['ok', { 'X-Forgejo-Signature': hex, 'X-Gitea-Signature': hex, 'X-Gogs-Signature': hex }],
    ['ok', { 'X-Forgejo-Signature': hex }],
    ['ok', { 'X-Hub-Signature-256': `sha256=${hex}` }],
    ['ok', { 'X-Gitea-Signature': hex.toUpperCase() }],
    ['signature mismatch', { 'X-Gitea-Signature': hmac(body, 'wrong') }],
    // The forge's own header decides, even when the fallback would pass.
    ['signature mismatch', { 'X-Gitea-Signature': hmac(body, 'wrong'), 'X-Hub-Signature-256': `sha256=${hex}` }],
    ['malformed X-Gitea-Signature header (expected <64 hex digits>)', { 'X-Gitea-Signature': `sha256=${hex}` }],
    ['malformed X-Gitea-Signature header (expected <64 hex digits>)', { 'X-Gitea-Signature': 'not-hex' }],
    // A Gitea webhook without a secret sends the signature headers empty.
    ['missing X-Gitea-Signature header (is a secret set on the webhook?)', { 'X-Gitea-Signature': '', 'X-Hub-Signature-256': '' }],
    ['missing X-Gitea-Signature header (is a secret set on the webhook?)', {}],
  ];
  for (const [expected, headers] of cases) {
    assert.is(reasonOf(verifyDelivery('gitea', headers, body, SECRET)), expected, JSON.stringify(headers));
  }
});

test('GitLab: X-Gitlab-Token is the secret itself', () => {
  const cases: [string, Record<string, string | undefined>][] = [
    ['ok', { 'X-Gitlab-Token': SECRET }],
    ['ok', { 'x-gitlab-token': SECRET }],
    ['token mismatch', { 'X-Gitlab-Token': 'wrong' }],
    ['token mismatch', { 'X-Gitlab-Token': SECRET.slice(0, -1) }],
    ['token mismatch', { 'X-Gitlab-Token': `${SECRET}x` }],
    ['token mismatch', { 'X-Gitlab-Token': SECRET.toUpperCase() }],
    ['missing X-Gitlab-Token header (is a secret token set on the webhook?)', { 'X-Hub-Signature-256': `sha256=${hmac(body)}` }],
  ];
  for (const [expected, headers] of cases) {
    assert.is(reasonOf(verifyDelivery('gitlab', headers, body, SECRET)), expected, JSON.stringify(headers));
  }
});

test('an empty secret trusts nothing, even a delivery signed with it', () => {
  for (const [provider, headers] of [
    ['github', { 'X-Hub-Signature-256': `sha256=${hmac(body, '')}` }],
    ['gitea', { 'X-Gitea-Signature': hmac(body, '') }],
    ['gitlab', { 'X-Gitlab-Token': '' }],
  ] as const) {
    const result = verifyDelivery(provider, headers, body, '');
    assert.is(result.ok, false, provider);
    assert.match(reasonOf(result), 'no webhook secret is configured');
  }
});

test('no reason contains the secret or the expected signature', () => {
  const expected = hmac(body);
  const attempts = [
    verifyDelivery('github', { 'X-Hub-Signature-256': `sha256=${hmac(body, 'x')}` }, body, SECRET),
    verifyDelivery('github', { 'X-Hub-Signature-256': 'garbage' }, body, SECRET),
    verifyDelivery('gitea', { 'X-Gitea-Signature': hmac(body, 'x') }, body, SECRET),
    verifyDelivery('gitlab', { 'X-Gitlab-Token': SECRET.slice(1) }, body, SECRET),
    verifyDelivery('gitlab', {}, body, SECRET),
  ];
  for (const result of attempts) {
    const reason = reasonOf(result);
    assert.is(result.ok, false);
    assert.not.match(reason, SECRET);
    assert.not.match(reason.toLowerCase(), expected);
  }
});

test.run();
