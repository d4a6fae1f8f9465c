import dockerignoreModule from '@balena/dockerignore';
import type { TreeEntry } from '../source/index.ts';

// The package is CommonJS with a default export in its types; under Node's ESM interop that is the module object.
const createIgnore = ((dockerignoreModule as unknown as { default?: typeof dockerignoreModule }).default ?? dockerignoreModule) as unknown as () => import('@balena/dockerignore').Ignore;

/**
 * What never belongs in a generated image's context even without a
 * .dockerignore: dependency folders and build output of a developer's
 * machine, which the build makes afresh.
 */
export const GENERATED_BUILD_IGNORES = ['.git', 'node_modules', '**/node_modules', '.next', '.nuxt', '.output', '.svelte-kit', '.astro', '.vercel', '__pycache__', '**/__pycache__', '.venv', '**/*.pyc'];

export interface ContextRules {
  /** Text of the context's .dockerignore, if it has one. */
  dockerignore?: string;
  /** Add GENERATED_BUILD_IGNORES (no Dockerfile of the app's own). */
  generated: boolean;
  /** Context-relative paths that are never sent (the platform's own nexus.yaml). */
  exclude: string[];
  /** Context-relative path of the app's Dockerfile: always sent, as Docker does. */
  dockerfile?: string;
}

/**
 * The files of a build context that Docker gets: .dockerignore honoured
 * with Docker's own pattern rules, the manifest never included. Pure; the
 * same filter decides both the build key and the tar that is sent, so the
 * key covers exactly what the image can contain.
 */
export function filterContext(entries: readonly TreeEntry[], rules: ContextRules): TreeEntry[] {
  const ignore = createIgnore();
  if (rules.generated) ignore.add(GENERATED_BUILD_IGNORES);
  if (rules.dockerignore) ignore.add(rules.dockerignore.split(/\r?\n/));
  const excluded = new Set(rules.exclude);
  return entries.filter((entry) => entry.path === rules.dockerfile || (!excluded.has(entry.path) && !ignore.ignores(entry.path)));
}
