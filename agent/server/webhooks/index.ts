/**
 * The pure core of push webhooks from GitHub, Gitea/Forgejo and GitLab:
 * verify the secret, read what the delivery is about, find the configured
 * repos it names, and skip repeats. No I/O; the HTTP route wires these up.
 */
export type { WebhookProvider } from './headers.ts';
export { verifyDelivery, type Verification } from './verify.ts';
export { parseDelivery, type Delivery } from './parse.ts';
export { normaliseRepoUrl, matchRepos } from './match.ts';
export { createDeliveryMemory, type DeliveryMemory } from './dedupe.ts';
