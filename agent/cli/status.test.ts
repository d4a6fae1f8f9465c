import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderStatus } from './status.ts';

test('status shows each app with its URL, what it is built as, and the AI generations', () => {
  const text = renderStatus({
    repos: [{
      name: 'shop', url: 'http://127.0.0.1/shop.git', branch: 'main', revision: 'abcdef0123',
      apps: [{ name: 'web', sync: 'Synced', health: 'Healthy', appliedRevision: 'abcdef0123', urls: ['http://web.shop.test/'], build: 'vite: package.json depends on vite; npm ci (package-lock.json); npm run build → dist; static' }],
    }],
    generations: [{ id: 'g1', repo: 'shop', app: 'todo', status: 'refused', message: "the model's answer was refused, nothing was committed:\n- answer.files[0].path has a \"..\" segment" }],
  });
  assert.match(text, /^ {2}web +Synced +Healthy +applied abcdef0 +no attempt +http:\/\/web\.shop\.test\/$/m);
  assert.match(text, /^ {4}build: vite: package\.json depends on vite; npm ci/m);
  assert.match(text, /^generation g1 shop\/todo: refused — the model's answer was refused, nothing was committed:$/m);
});

test.run();
