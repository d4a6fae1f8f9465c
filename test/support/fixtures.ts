/** Reading fixture folders into file maps for `push`. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Every file below a folder of the repository, by relative path ("/"-separated). */
export async function readFixture(relativeDir: string, prefix = ''): Promise<Record<string, string>> {
  const base = path.join(ROOT, relativeDir);
  const files: Record<string, string> = {};
  async function walk(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else files[prefix + path.relative(base, full).split(path.sep).join('/')] = await readFile(full, 'utf8');
    }
  }
  await walk(base);
  return files;
}

/** The framework fixture of one kind (test/fixtures/frameworks/KIND). */
export function frameworkFixture(kind: string, prefix = ''): Promise<Record<string, string>> {
  return readFixture(`test/fixtures/frameworks/${kind}`, prefix);
}
