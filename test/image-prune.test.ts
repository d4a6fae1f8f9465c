/**
 * Pushes with ever new build keys must not fill the disk: after a deploy the
 * agent removes the repo's images that no recent release needs, on the real
 * dockerd — never an image a container uses, never another repo's.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import tar from 'tar-stream';
import Docker from 'dockerode';
import { buildImage, createImageBuilder, imageTag } from '../agent/build/index.ts';

const docker = new Docker();
const agent = `prune${randomBytes(3).toString('hex')}`;

function contextOf(marker: string): Readable {
  const pack = tar.pack();
  pack.entry({ name: 'Dockerfile' }, `FROM node:20-bookworm-slim\nLABEL nexus.test=${agent}\nRUN echo ${marker} > /marker\n`);
  pack.finalize();
  return pack as unknown as Readable;
}

async function build(repo: string, key: string): Promise<string> {
  const tag = imageTag(agent, repo, key);
  await buildImage(docker, { tag, context: contextOf(`${repo}-${key}`), dockerfile: 'Dockerfile', labels: { 'nexus.agent': agent } });
  return tag;
}

const exists = (tag: string) => docker.getImage(tag).inspect().then(() => true, () => false);

test('prune removes unneeded images of the repo, keeps what is kept, in use, or of another repo', async () => {
  const [kept, inUse, stale, otherRepo] = [await build('shop', 'k1'), await build('shop', 'k2'), await build('shop', 'k3'), await build('blog', 'k1')];
  const container = await docker.createContainer({ Image: inUse, Cmd: ['true'], Labels: { 'nexus.test': agent } });
  try {
    const builder = createImageBuilder(docker, { agent, memoryBytes: 256 * 1024 ** 2, cpus: 1, pruneMinAgeMs: 0 });
    const removed = await builder.pruneImages!({ repo: 'shop', keep: new Set([kept]) });
    assert.equal(removed, [stale]);
    assert.is(await exists(stale), false);
    assert.is(await exists(kept), true);
    assert.is(await exists(inUse), true, 'an image a container uses was removed');
    assert.is(await exists(otherRepo), true, "another repo's image was removed");
    // With the default minimum age, nothing this fresh is touched.
    const cautious = createImageBuilder(docker, { agent, memoryBytes: 256 * 1024 ** 2, cpus: 1 });
    assert.equal(await cautious.pruneImages!({ repo: 'blog', keep: new Set() }), []);
  } finally {
    await container.remove({ force: true });
    for (const tag of [kept, inUse, stale, otherRepo]) await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
  }
});

test.run();
