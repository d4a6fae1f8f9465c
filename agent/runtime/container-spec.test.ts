import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderCreateOptions } from './container-spec.ts';
import { identityFromLabels } from './labels.ts';

const identity = { repo: 'demo', app: 'web', revision: 'a'.repeat(40), specHash: 'f00', release: 'aaaaaaa-123456' };

test('create options publish on loopback only, with labels, limits and restart policy', () => {
  const options = renderCreateOptions({ identity, image: 'nexus/demo-web:k', port: 3000, env: { A: '1' }, memoryBytes: 512 * 1024 * 1024 }, 'nexus');
  assert.equal(options, {
    name: 'nexus-demo-web-aaaaaaa-123456',
    Image: 'nexus/demo-web:k',
    Env: ['PORT=3000', 'A=1'],
    Labels: {
      'nexus.managed': 'true', 'nexus.repo': 'demo', 'nexus.app': 'web',
      'nexus.revision': 'a'.repeat(40), 'nexus.spec-hash': 'f00', 'nexus.release': 'aaaaaaa-123456', 'nexus.agent': 'nexus',
    },
    ExposedPorts: { '3000/tcp': {} },
    HostConfig: {
      PortBindings: { '3000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
      RestartPolicy: { Name: 'unless-stopped' },
      Memory: 536870912,
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
    },
  });
});

test('labels read back to the identity; unmanaged or partial labels do not', () => {
  const options = renderCreateOptions({ identity, image: 'i', port: 1, env: {}, memoryBytes: 1 }, 'nexus');
  assert.equal(identityFromLabels(options.Labels), identity);
  assert.is(identityFromLabels({ ...options.Labels, 'nexus.managed': 'false' }), undefined);
  assert.is(identityFromLabels({ 'nexus.managed': 'true', 'nexus.app': 'x' }), undefined);
});

test.run();
