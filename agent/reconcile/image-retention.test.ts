import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Deployment } from '../../state/index.ts';
import { imagesToKeep } from './image-retention.ts';

let counter = 0;
const deployment = (app: string, image: string, status: Deployment['status'], repo = 'shop'): Deployment => ({
  id: `d${counter += 1}`, repo, app, revision: 'r', specHash: 'h', trigger: 'poll', reason: 'test', status, startedAt: 't', image,
});

test("keeps each app's newest successful releases and what is still deploying, nothing of other repos", () => {
  const history = [
    deployment('web', 'web-1', 'success'),
    deployment('web', 'web-2', 'success'),
    deployment('web', 'web-3', 'failed'),
    deployment('web', 'web-4', 'success'),
    deployment('api', 'api-1', 'success'),
    deployment('api', 'api-2', 'deploying'),
    deployment('web', 'other-1', 'success', 'other'),
  ];
  assert.equal([...imagesToKeep(history, 'shop', 2)].sort(), ['api-1', 'api-2', 'web-2', 'web-4']);
});

test('an image shared by two apps is kept when either needs it', () => {
  const history = [deployment('site', 'same', 'success'), deployment('twin', 'same', 'success'), deployment('site', 'newer', 'success')];
  assert.equal([...imagesToKeep(history, 'shop', 1)].sort(), ['newer', 'same']);
});

test('drift repairs that redeploy one image do not push older releases out', () => {
  const history = [
    deployment('web', 'v1', 'success'),
    deployment('web', 'v2', 'success'),
    ...Array.from({ length: 8 }, () => deployment('web', 'v2', 'success')),
  ];
  assert.equal([...imagesToKeep(history, 'shop', 2)].sort(), ['v1', 'v2']);
});

test("the image of a release an app is pinned to is kept, however old", () => {
  const history = [deployment('web', 'old', 'success'), deployment('web', 'v2', 'success'), deployment('web', 'v3', 'success')];
  const pinnedId = history[0]!.id;
  assert.equal([...imagesToKeep(history, 'shop', 1, [pinnedId])].sort(), ['old', 'v3']);
});

test.run();
