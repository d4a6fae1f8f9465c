import { detectFrameworks } from '@vercel/fs-detectors';
import { frameworks, type Framework } from '@vercel/frameworks';
import { FRAMEWORK_KINDS, type BuildSpec, type FrameworkKind } from '../../manifest/index.ts';
import { NexusError } from '../../errors/index.ts';
import { KINDS, KIND_PRIORITY, NODE_ENTRY_POINTS, PYTHON_ENTRY_POINTS, type Runtime } from './kinds.ts';
import { detectPackageManager, type PackageManager } from './package-manager.ts';
import { TreeDetectorFs, type FileTree } from './tree-fs.ts';

/** What the agent will build for an app without a Dockerfile, and why. */
export interface Detection {
  kind: FrameworkKind;
  runtime: Runtime;
  /** Why this kind, in words: "package.json depends on vite", "vite.config.ts present". */
  reasons: string[];
  /** Absent for apps without package.json (static site, Python). */
  packageManager?: PackageManager;
  /** Dependency install command (its own layer), if any. */
  install?: string;
  /** Files the install layer is keyed by. */
  installFiles: string[];
  /** Build command, if any. */
  build?: string;
  /** Folder the build writes, relative to the context. */
  output?: string;
  /** Start command of the runtime image (node and python). */
  start?: string;
  /** Next.js only: the config asks for `output: 'standalone'`. */
  standalone?: boolean;
  spaFallback: boolean;
  /** Which settings came from the manifest rather than detection. */
  overridden: ('framework' | 'install' | 'command' | 'output' | 'start')[];
}

export class UnrecognisedAppError extends NexusError<'APP_NOT_RECOGNISED', { context: string }> {
  constructor(context: string, found: string) {
    super('APP_NOT_RECOGNISED',
      `no Dockerfile in ${context === '.' ? 'the repository root' : context} and no known kind of app: looked for package.json (depending on next, nuxt, @sveltejs/kit, astro or vite, or with a start script or main), index.html, or ${PYTHON_ENTRY_POINTS.join('/')}${found} — add a Dockerfile to ${context}, or set build.framework (${FRAMEWORK_KINDS.join(', ')})`,
      { context });
  }
}

type Overrides = Pick<BuildSpec, 'framework' | 'install' | 'command' | 'output' | 'start'>;

/**
 * Decides how to build the app in `tree` (its build context): the kind from
 * @vercel/frameworks' signatures (or our fallbacks), then package manager,
 * commands and output from our own table, then the manifest's overrides.
 */
export async function detectApp(tree: FileTree, context: string, overrides: Overrides = {}): Promise<Detection> {
  const files = new Set(tree.paths);
  const text = async (path: string) => (files.has(path) ? Buffer.from(await tree.read(path)).toString('utf8') : undefined);
  const pkg = parsePackageJson(await text('package.json'));

  const found = overrides.framework
    ? { kind: overrides.framework, reasons: ['build.framework in nexus.yaml'] }
    : await detectKind(tree, files, pkg);
  if (!found) throw new UnrecognisedAppError(context, files.has('package.json') ? ' (package.json has none of these)' : '');
  const { kind } = found;
  const facts = KINDS[kind];
  // A Python app is started from its entry point: name it first.
  const entry = kind === 'python' ? PYTHON_ENTRY_POINTS.find((file) => files.has(file)) : undefined;
  const reasons = [...(entry && !found.reasons.includes(`${entry} present`) ? [`${entry} present`] : []), ...found.reasons, ...facts.configFiles.filter((file) => files.has(file) && !found.reasons.includes(`${file} present`)).map((file) => `${file} present`)];

  const packageManager = pkg ? detectPackageManager(files, pkg.packageManager) : undefined;
  const scripts = pkg?.scripts ?? {};
  let install: string | undefined = packageManager?.install;
  let installFiles = packageManager?.manifestFiles ?? [];
  if (kind === 'python' && files.has('requirements.txt')) {
    install = 'pip install --no-cache-dir -r requirements.txt';
    installFiles = ['requirements.txt'];
  }
  const build = packageManager && typeof scripts.build === 'string' ? `${packageManager.run} build` : undefined;
  const nextConfig = kind === 'nextjs' ? await firstText(text, KINDS.nextjs.configFiles) : undefined;
  const standalone = nextConfig !== undefined && /output\s*:\s*['"`]standalone['"`]/.test(nextConfig);

  const detection: Detection = {
    kind, runtime: facts.runtime, reasons, packageManager, install, installFiles, build,
    output: facts.output, start: defaultStart(kind, { pkg, files, standalone, packageManager }),
    ...(kind === 'nextjs' ? { standalone } : {}),
    spaFallback: facts.spaFallback ?? false,
    overridden: overrides.framework ? ['framework'] : [],
  };
  for (const field of ['install', 'command', 'output', 'start'] as const) {
    const value = overrides[field];
    if (value === undefined) continue;
    detection.overridden.push(field);
    if (field === 'command') detection.build = value;
    else detection[field] = value;
  }
  if (detection.runtime !== 'static' && !detection.start) {
    throw new NexusError('APP_NOT_STARTABLE',
      `${kind} app in ${context} has no way to start: package.json has no start script or main, and none of ${NODE_ENTRY_POINTS.join(', ')} exists — add a "start" script, or set build.start`, { context });
  }
  return detection;
}

/** One line that says what will be built and why (for `nexus detect` and `nexus plan`). */
export function explainDetection(detection: Detection): string {
  const parts = [`${detection.kind}: ${detection.reasons.join(', ')}`];
  if (detection.install) parts.push(detection.packageManager && detection.install === detection.packageManager.install ? detection.packageManager.reason : detection.install);
  if (detection.build) parts.push(detection.output && detection.output !== '.' ? `${detection.build} → ${detection.output}` : detection.build);
  parts.push(detection.runtime === 'static' ? `static${detection.spaFallback ? ' (SPA fallback to index.html)' : ''}` : `${detection.runtime}: ${detection.start}`);
  if (detection.overridden.length > 0) parts.push(`from nexus.yaml: ${detection.overridden.join(', ')}`);
  return parts.join('; ');
}

interface PackageJson {
  scripts?: Record<string, unknown>;
  main?: unknown;
  packageManager?: unknown;
  dependencies?: Record<string, unknown>;
  devDependencies?: Record<string, unknown>;
}

/**
 * A plain relative path: what `main` must look like to be used. It ends up
 * in a start command and in explanations shown in terminals, so no control
 * characters, quotes or shell syntax.
 */
const PLAIN_PATH = /^[\w@+.-][\w@+./-]{0,199}$/;

function parsePackageJson(text: string | undefined): PackageJson | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
    const pkg = value as PackageJson;
    return typeof pkg.main === 'string' && !PLAIN_PATH.test(pkg.main) ? { ...pkg, main: undefined } : pkg;
  } catch {
    // A broken package.json fails `npm ci` with npm's own message; detection stays quiet.
    return {};
  }
}

async function detectKind(tree: FileTree, files: Set<string>, pkg: PackageJson | undefined): Promise<{ kind: FrameworkKind; reasons: string[] } | undefined> {
  // 1. The library's framework signatures (package dependencies, config files).
  const matches = await detectFrameworks({ fs: new TreeDetectorFs(tree), frameworkList: frameworks as unknown as Framework[], useExperimentalFrameworks: false });
  const slugs = new Set(matches.map((framework) => framework.slug));
  const deps = { ...pkg?.dependencies, ...pkg?.devDependencies };
  for (const kind of KIND_PRIORITY) {
    const match = matches.find((framework) => KINDS[kind].slugs.includes(framework.slug ?? ''));
    if (!match || !slugs.has(match.slug)) continue;
    // A "node" signature without a package.json is a stray server.js, not an app we can start.
    if (KINDS[kind].runtime === 'node' && !pkg) continue;
    const reasons: string[] = [];
    for (const detector of [...(match.detectors?.every ?? []), ...(match.detectors?.some ?? [])]) {
      if (detector.matchPackage && deps[detector.matchPackage] !== undefined) reasons.push(`package.json depends on ${detector.matchPackage}`);
      else if (detector.path && files.has(detector.path) && !detector.matchContent) reasons.push(`${detector.path} present`);
      else if (detector.path === 'package.json' && detector.matchContent && kind === 'sveltekit') reasons.push('package.json depends on @sveltejs/kit');
    }
    return { kind, reasons: reasons.length > 0 ? [...new Set(reasons)] : [`matches the ${match.name ?? match.slug} signature`] };
  }
  // 2. Our fallbacks for what the library does not call a framework.
  if (pkg) {
    if (typeof pkg.scripts?.start === 'string') return { kind: 'node', reasons: ['package.json has a start script'] };
    // `main` may name build output (dist/index.js) when there is a build script.
    if (typeof pkg.main === 'string' && (files.has(pkg.main.replace(/^\.\//, '')) || typeof pkg.scripts?.build === 'string')) return { kind: 'node', reasons: [`package.json main ${pkg.main}`] };
    const entry = NODE_ENTRY_POINTS.find((file) => files.has(file));
    if (entry) return { kind: 'node', reasons: [`package.json and ${entry} present`] };
  }
  const python = PYTHON_ENTRY_POINTS.find((file) => files.has(file));
  if (python) return { kind: 'python', reasons: [`${python} present`] };
  if (!pkg && files.has('index.html')) return { kind: 'static', reasons: ['index.html present, no package.json'] };
  return undefined;
}

function defaultStart(kind: FrameworkKind, input: { pkg?: PackageJson; files: Set<string>; standalone: boolean; packageManager?: PackageManager }): string | undefined {
  const { pkg, files, packageManager } = input;
  switch (kind) {
    case 'nextjs':
      // Without standalone output the whole app (with node_modules) is the runtime; its own next binary serves it.
      return input.standalone ? 'node server.js' : 'node_modules/.bin/next start';
    case 'nuxt':
      return 'node .output/server/index.mjs';
    case 'sveltekit':
      return 'node build';
    case 'node': {
      if (typeof pkg?.scripts?.start === 'string') return `${packageManager?.name === 'npm' ? 'npm' : packageManager?.run ?? 'npm'} start`;
      if (typeof pkg?.main === 'string') return `node ${pkg.main}`;
      const entry = NODE_ENTRY_POINTS.find((file) => files.has(file));
      return entry ? `node ${entry}` : undefined;
    }
    case 'python': {
      const entry = PYTHON_ENTRY_POINTS.find((file) => files.has(file));
      return entry ? `python ${entry}` : undefined;
    }
    default:
      return undefined;
  }
}

async function firstText(text: (path: string) => Promise<string | undefined>, paths: string[]): Promise<string | undefined> {
  for (const path of paths) {
    const content = await text(path);
    if (content !== undefined) return content;
  }
  return undefined;
}
