import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { headerReader, type HeaderReader, type WebhookProvider } from './headers.ts';

/** Whether a delivery was sent by someone who knows the webhook secret. Reasons never contain the secret or a signature. */
export type Verification = { ok: true } | { ok: false; reason: string };

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/**
 * Checks that a webhook delivery carries proof of the shared secret:
 * - GitHub: `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 of the raw body.
 * - Gitea/Forgejo: `X-Gitea-Signature` or `X-Forgejo-Signature`, bare hex of
 *   the same HMAC; `X-Hub-Signature-256` (which Gitea also sends) as fallback.
 * - GitLab: `X-Gitlab-Token`, the secret itself.
 *
 * `rawBody` must be the bytes as received: re-serialised JSON signs differently.
 * Every comparison is constant-time over fixed-length digests, so neither
 * the content nor the length of the secret leaks through timing.
 */
export function verifyDelivery(
  provider: WebhookProvider,
  headers: Record<string, string | undefined>,
  rawBody: Uint8Array,
  secret: string,
): Verification {
  // An empty key is one anyone can sign with: refuse rather than accept everything.
  if (secret === '') return refuse('no webhook secret is configured for this repo — set one in the agent config and on the webhook');
  const header = headerReader(headers);
  switch (provider) {
    case 'github':
      return verifySignature(header, 'X-Hub-Signature-256', 'sha256=', rawBody, secret);
    case 'gitea': {
      // Only the first header present is checked: a forge sends all of them with the same digest.
      for (const name of ['X-Gitea-Signature', 'X-Forgejo-Signature']) {
        if (header(name) !== undefined) return verifySignature(header, name, '', rawBody, secret);
      }
      if (header('X-Hub-Signature-256') !== undefined) return verifySignature(header, 'X-Hub-Signature-256', 'sha256=', rawBody, secret);
      return refuse('missing X-Gitea-Signature header (is a secret set on the webhook?)');
    }
    case 'gitlab':
      return verifyToken(header('X-Gitlab-Token'), secret);
    default:
      return refuse(`unknown webhook provider "${String(provider satisfies never)}"`);
  }
}

/** `prefix` + 64 hex digits of HMAC-SHA256(secret, body) in header `name`. */
function verifySignature(header: HeaderReader, name: string, prefix: string, rawBody: Uint8Array, secret: string): Verification {
  const value = header(name);
  if (value === undefined) return refuse(`missing ${name} header (is a secret set on the webhook?)`);
  const hex = value.startsWith(prefix) ? value.slice(prefix.length) : undefined;
  // Buffer.from(_, 'hex') silently drops bad digits, so the shape is checked first.
  if (hex === undefined || !HEX_SHA256.test(hex)) return refuse(`malformed ${name} header (expected ${prefix}<64 hex digits>)`);
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  if (!timingSafeEqual(Buffer.from(hex, 'hex'), expected)) return refuse('signature mismatch');
  return { ok: true };
}

/** GitLab sends the secret in clear; both sides are hashed so timingSafeEqual sees equal lengths. */
function verifyToken(token: string | undefined, secret: string): Verification {
  if (token === undefined) return refuse('missing X-Gitlab-Token header (is a secret token set on the webhook?)');
  if (!timingSafeEqual(sha256(token), sha256(secret))) return refuse('token mismatch');
  return { ok: true };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();
const refuse = (reason: string): Verification => ({ ok: false, reason });
