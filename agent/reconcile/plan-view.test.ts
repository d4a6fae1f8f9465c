import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DesiredApp } from './desired.ts';
import type { Action, Plan } from './plan.ts';
import { renderPlanTable, viewPlan } from './plan-view.ts';

function deploy(app: string, explanation: string, image?: string): Action {
  const desired = {
    repo: 'demo', app, revision: 'abc1234567', buildKey: 'k', specHash: 's', image,
    build: { buildKey: 'k', context: '.', dockerfile: 'Dockerfile', exclude: [], explanation },
  } as unknown as DesiredApp;
  return { kind: 'deploy', repo: 'demo', app, reason: 'new revision', desired, replaces: [] };
}

const plan: Plan = {
  actions: [
    deploy('web', 'vite: package.json depends on vite; npm ci (package-lock.json); npm run build → dist; static'),
    deploy('api', 'Dockerfile apps/api/Dockerfile', 'demo-api:abc'),
    { kind: 'unpin', repo: 'demo', app: 'old', reason: 'a new commit changed it' },
  ],
  held: [],
} as unknown as Plan;

test('a deploy that builds carries its build line; a rollback (recorded image) and other actions do not', () => {
  const view = viewPlan(plan);
  assert.is(view.actions[0]!.build, 'vite: package.json depends on vite; npm ci (package-lock.json); npm run build → dist; static');
  assert.not.ok('build' in view.actions[1]!);
  assert.not.ok('build' in view.actions[2]!);
});

test('the table shows the build line under the reason of its row', () => {
  assert.is(renderPlanTable(viewPlan(plan)), [
    'ACTION  APP       TARGET              REASON',
    'deploy  demo/web  revision abc1234    new revision',
    '                                      build: vite: package.json depends on vite; npm ci (package-lock.json); npm run build → dist; static',
    'deploy  demo/api  image demo-api:abc  new revision',
    'unpin   demo/old  rollback pin        a new commit changed it',
    '',
  ].join('\n'));
});

test.run();
