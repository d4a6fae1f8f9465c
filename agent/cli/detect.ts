import fs from 'node:fs/promises';
import path from 'node:path';
import { detectApp, explainDetection, renderGeneratedBuild, type Detection } from '../build/index.ts';
import { DEFAULT_BASE_IMAGES, loadAgentConfig, type BaseImages } from '../config/index.ts';
import { NexusError, describeError } from '../errors/index.ts';
import { findManifestApp, listLocalContext, localFileTree } from './local-app.ts';

export const usage = 'nexus detect [DIR] [--dockerfile] [--port N] [--json]   what the agent would build for a folder without a Dockerfile (no agent needed)';

/** Port of the generated image when neither --port nor the manifest gives one. */
const DEFAULT_PORT = 3000;

export interface DetectOptions {
  /** Default ".". */
  dir?: string;
  json: boolean;
  /** Also print the generated Dockerfile (and its companion files). */
  dockerfile: boolean;
  port?: string;
  /** Agent config for the base images; only read when given. */
  config?: string;
}

/**
 * `nexus detect [DIR]`: runs the agent's detection on a local folder, so a
 * user learns before pushing what will be built — or what to add. Reads
 * the same files the agent would (.dockerignore and the generated-build
 * ignores honoured) and nexus.yaml's build settings for that folder.
 */
export async function runDetect(options: DetectOptions, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const given = options.dir ?? '.';
  const folder = path.resolve(given);
  if (!(await fs.stat(folder).then((stat) => stat.isDirectory(), () => false))) {
    err.write(`${given} is not a folder — name the app's folder: nexus detect DIR\n`);
    return 2;
  }
  const port = parsePort(options.port);
  if (port === null) {
    err.write(`--port ${options.port} is not a port — give a number from 1 to 65535, the port the app listens on\n`);
    return 2;
  }

  const manifest = await findManifestApp(folder);
  if (manifest.note) err.write(`note: ${manifest.note}\n`);
  const context = toPosix(path.relative(manifest.root, folder)) || (manifest.file ? '.' : given);

  // An app with a Dockerfile of its own is built from it; detection never runs.
  const dockerfile = manifest.app?.build.dockerfile ?? ((await isFile(path.join(folder, 'Dockerfile'))) ? 'Dockerfile' : undefined);
  if (dockerfile !== undefined) {
    const shown = toPosix(path.join(given, dockerfile));
    if (!(await isFile(path.join(folder, dockerfile)))) {
      err.write(`${manifest.file} names build.dockerfile ${dockerfile}, but ${shown} does not exist — add it, or remove build.dockerfile to have the app detected\n`);
      return 1;
    }
    out.write(options.json ? `${JSON.stringify({ dockerfile: shown }, null, 2)}\n` : `Dockerfile ${shown}: built from its own Dockerfile (detection is only for apps without one)\n`);
    return 0;
  }

  const manifestInside = manifest.file && isInside(folder, manifest.file) ? [toPosix(path.relative(folder, manifest.file))] : [];
  const dockerignore = await fs.readFile(path.join(folder, '.dockerignore'), 'utf8').catch(() => undefined);
  const entries = await listLocalContext(folder, { dockerignore, exclude: manifestInside });
  let detection: Detection;
  try {
    detection = await detectApp(localFileTree(folder, entries), context, manifest.app?.build ?? {});
  } catch (error) {
    // Unrecognised or unstartable: the message names what was looked for and what to add.
    if (!(error instanceof NexusError)) throw error;
    err.write(`${error.message}\n`);
    return 1;
  }

  if (options.json) {
    out.write(`${JSON.stringify(detection, null, 2)}\n`);
    return 0;
  }
  out.write(`${explainDetection(detection)}\n`);
  if (options.dockerfile) {
    const images = await baseImages(options.config, err);
    const generated = renderGeneratedBuild(detection, { images, port: port ?? manifest.app?.port ?? DEFAULT_PORT });
    for (const [file, text] of Object.entries(generated.files)) out.write(`\n--- ${file}\n${text}`);
  }
  return 0;
}

/** Undefined when not given; null when not a valid port. */
function parsePort(value: string | undefined): number | undefined | null {
  if (value === undefined) return undefined;
  const port = Number(value);
  return Number.isInteger(port) && port >= 1 && port <= 65_535 ? port : null;
}

/** The agent config's base images when --config loads, Docker's official ones otherwise. */
async function baseImages(config: string | undefined, err: NodeJS.WritableStream): Promise<BaseImages> {
  if (config === undefined) return DEFAULT_BASE_IMAGES;
  return loadAgentConfig(config).then((loaded) => loaded.build.images, (error: unknown) => {
    err.write(`note: ${describeError(error)}; showing the default base images\n`);
    return DEFAULT_BASE_IMAGES;
  });
}

function isFile(file: string): Promise<boolean> {
  return fs.stat(file).then((stat) => stat.isFile(), () => false);
}

function isInside(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}
