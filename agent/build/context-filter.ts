import type { TreeEntry } from '../source/index.ts';
import { compileDockerignore } from './dockerignore.ts';

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
 * with Docker's own pattern rules, the manifest never included. Throws
 * DockerignoreTooLargeError for a .dockerignore past its limits. Pure; the
 * same filter decides both the build key and the tar that is sent, so the
 * key covers exactly what the image can contain.
 */
export function filterContext(entries: readonly TreeEntry[], rules: ContextRules): TreeEntry[] {
  const builtIn = rules.generated ? GENERATED_BUILD_IGNORES : [];
  const ignore = compileDockerignore([...builtIn, ...(rules.dockerignore?.split(/\r?\n/) ?? [])], builtIn.length);
  const excluded = new Set(rules.exclude);
  return entries.filter((entry) => entry.path === rules.dockerfile || (!excluded.has(entry.path) && !ignore.ignores(entry.path)));
}
