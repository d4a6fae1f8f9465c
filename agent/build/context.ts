import { Readable } from 'node:stream';
import tar from 'tar-stream';
import type { TreeFile } from '../source/index.ts';

/**
 * Packs files (from a git tree) into the tar stream Docker's build API
 * takes as its context. Modes and symlinks come from git, timestamps are
 * fixed, so the same tree always gives the same context.
 */
export function packBuildContext(files: AsyncIterable<TreeFile>): Readable {
  const pack = tar.pack();
  (async function fillPack() {
    try {
      for await (const file of files) {
        if (file.mode === 0o120000) {
          pack.entry({ name: file.path, type: 'symlink', linkname: Buffer.from(file.content).toString('utf8'), mtime: EPOCH });
        } else {
          const mode = file.mode === 0o100755 ? 0o755 : 0o644;
          await addFile(pack, { name: file.path, mode, mtime: EPOCH }, file.content);
        }
      }
      pack.finalize();
    } catch (error) {
      pack.destroy(error as Error);
    }
  })();
  return pack as unknown as Readable;
}

const EPOCH = new Date(0);

function addFile(pack: tar.Pack, header: Parameters<tar.Pack["entry"]>[0], content: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, Buffer.from(content), (error) => (error ? reject(error) : resolve()));
  });
}
