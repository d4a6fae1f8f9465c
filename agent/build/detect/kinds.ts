import type { FrameworkKind } from '../../manifest/index.ts';

/** What runs in the final image. */
export type Runtime = 'node' | 'static' | 'python';

/**
 * Our own table of what the framework library does not say for a
 * container: runtime, output folder, how the server starts, and the
 * config files worth naming when explaining a detection.
 */
export interface KindFacts {
  runtime: Runtime;
  /** Folder the build writes (relative to the context); "." for files served as committed. */
  output?: string;
  /** Answer unknown paths with index.html (single-page apps). */
  spaFallback?: boolean;
  /** Config files whose presence is part of the explanation. */
  configFiles: string[];
  /** Slugs of @vercel/frameworks that mean this kind. */
  slugs: string[];
}

export const KINDS: Record<FrameworkKind, KindFacts> = {
  nextjs: { runtime: 'node', output: '.next', configFiles: ['next.config.js', 'next.config.mjs', 'next.config.ts', 'next.config.cjs'], slugs: ['nextjs'] },
  nuxt: { runtime: 'node', output: '.output', configFiles: ['nuxt.config.ts', 'nuxt.config.js', 'nuxt.config.mjs'], slugs: ['nuxtjs'] },
  sveltekit: { runtime: 'node', output: 'build', configFiles: ['svelte.config.js', 'svelte.config.mjs'], slugs: ['sveltekit-1', 'sveltekit'] },
  astro: { runtime: 'static', output: 'dist', configFiles: ['astro.config.mjs', 'astro.config.ts', 'astro.config.js'], slugs: ['astro'] },
  vite: { runtime: 'static', output: 'dist', spaFallback: true, configFiles: ['vite.config.ts', 'vite.config.js', 'vite.config.mjs', 'vite.config.mts'], slugs: ['vite'] },
  node: { runtime: 'node', configFiles: [], slugs: ['express', 'hono', 'fastify', 'koa', 'nestjs', 'h3', 'elysia', 'node'] },
  python: { runtime: 'python', configFiles: ['requirements.txt', 'pyproject.toml'], slugs: ['python', 'fastapi', 'flask', 'django'] },
  static: { runtime: 'static', output: '.', configFiles: [], slugs: [] },
};

/** The order in which detected kinds win: the most specific framework first. */
export const KIND_PRIORITY: FrameworkKind[] = ['nextjs', 'nuxt', 'sveltekit', 'astro', 'vite', 'node', 'python', 'static'];

/** Python entry points, in the order they are looked for. */
export const PYTHON_ENTRY_POINTS = ['main.py', 'app.py', 'server.py'];

/** Node entry points when package.json has neither a start script nor `main`. */
export const NODE_ENTRY_POINTS = ['server.js', 'server.mjs', 'index.js', 'index.mjs', 'app.js'];

/**
 * Bumped whenever generated Dockerfiles change in a way the text alone
 * would not show (it is part of every generated build's key).
 */
export const GENERATOR_VERSION = 2;
