import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderServerBlock, routeFileName, parseRouteHeader, type ObservedRoute } from '../proxy/index.ts';
import type { ObservedContainer } from '../runtime/index.ts';
import type { Deployment, FailedSpec } from '../../state/index.ts';
import type { DesiredApp, DesiredRepo } from './desired.ts';
import { plan, ACTION_KINDS, type PlanInput, type PinnedRelease } from './plan.ts';

const LISTEN = '127.0.0.1:8080';

function desiredApp(app: string, overrides: Partial<DesiredApp> = {}, domains = [`${app}.test`]): DesiredApp {
  return {
    repo: 'demo', app, revision: 'rev2222222', build: { buildKey: 'b', context: '.', dockerfile: 'Dockerfile', exclude: [], explanation: 'Dockerfile' }, buildKey: 'build', specHash: `spec-${app}-2`,
    spec: { name: app, build: { context: '.', dockerfile: 'Dockerfile' }, port: 3000, domains, health: { path: '/', timeoutMs: 1000 }, env: {} },
    ...overrides,
  };
}

function container(app: string, release: string, overrides: Partial<ObservedContainer> = {}): ObservedContainer {
  return {
    id: `id-${app}-${release}`, name: `nexus-demo-${app}-${release}`, repo: 'demo', app, revision: 'rev2222222',
    specHash: `spec-${app}-2`, release, state: 'running', hostPort: 40000, image: 'img', drift: [], ...overrides,
  };
}

function routeTo(c: ObservedContainer, domains = [`${c.app}.test`]): ObservedRoute {
  const content = renderServerBlock({ repo: c.repo, app: c.app, release: c.release, domains, listen: LISTEN, upstreamPort: c.hostPort! });
  return { file: routeFileName(c.repo, c.app), content, header: parseRouteHeader(content) };
}

function input(desired: DesiredRepo[], containers: ObservedContainer[], routes: ObservedRoute[], failed: Record<string, FailedSpec> = {}): PlanInput {
  return { desired, configuredRepos: ['demo'], observed: { containers, routes }, failed, listen: LISTEN };
}

const valid = (...apps: DesiredApp[]): DesiredRepo => ({ kind: 'valid', repo: 'demo', revision: 'rev2222222', apps });
const kinds = (p: { actions: { kind: string; app: string }[] }) => p.actions.map((action) => `${action.kind}:${action.app}`);

const serving = container('web', 'r2');

test('converged host plans nothing', () => {
  const result = plan(input([valid(desiredApp('web'))], [serving], [routeTo(serving)]));
  assert.equal(result.actions, []);
  assert.equal(result.held, []);
});

test('new app is deployed, with the reason', () => {
  const result = plan(input([valid(desiredApp('web'))], [], []));
  assert.equal(kinds(result), ['deploy:web']);
  assert.match(result.actions[0]!.reason, /new app at revision rev2222/);
});

test('new revision replaces the running release through a deploy', () => {
  const old = container('web', 'r1', { revision: 'rev1111111', specHash: 'spec-web-1' });
  const result = plan(input([valid(desiredApp('web'))], [old], [routeTo(old)]));
  assert.equal(kinds(result), ['deploy:web']);
  assert.is(result.actions[0]!.reason, 'revision rev1111 → rev2222');
  const action = result.actions[0]!;
  assert.equal(action.kind === 'deploy' && action.replaces.map((c) => c.id), [old.id]);
});

test('spec change at the same revision is deployed', () => {
  const old = container('web', 'r1', { specHash: 'spec-web-1' });
  const result = plan(input([valid(desiredApp('web'))], [old], [routeTo(old)]));
  assert.match(result.actions[0]!.reason, /spec changed/);
});

test('exited container is redeployed', () => {
  const dead = container('web', 'r2', { state: 'exited' });
  const result = plan(input([valid(desiredApp('web'))], [dead], [routeTo(dead)]));
  assert.equal(kinds(result), ['deploy:web']);
  assert.match(result.actions[0]!.reason, /is exited/);
});

test('failed spec is held, not retried', () => {
  const old = container('web', 'r1', { revision: 'rev1111111', specHash: 'spec-web-1' });
  const failed = { 'demo/web': { specHash: 'spec-web-2', revision: 'rev2222222', deploymentId: 'd1', message: 'health check failed', at: 'now' } };
  const result = plan(input([valid(desiredApp('web'))], [old], [routeTo(old)], failed));
  assert.equal(result.actions, []);
  assert.match(result.held[0]!.reason, /rev2222 failed: health check failed/);
});

test('a newer spec than the failed one is deployed', () => {
  const failed = { 'demo/web': { specHash: 'spec-web-1', revision: 'rev1111111', deploymentId: 'd1', message: 'x', at: 'now' } };
  assert.equal(kinds(plan(input([valid(desiredApp('web'))], [], [], failed))), ['deploy:web']);
});

test('missing route is written', () => {
  const result = plan(input([valid(desiredApp('web'))], [serving], []));
  assert.equal(kinds(result), ['write-route:web']);
  assert.is(result.actions[0]!.reason, 'route missing');
});

test('route edited by hand is restored', () => {
  const route = routeTo(serving);
  const edited = { ...route, content: route.content.replace('proxy_read_timeout 60s', 'proxy_read_timeout 1s') };
  const result = plan(input([valid(desiredApp('web'))], [serving], [edited]));
  assert.equal(kinds(result), ['write-route:web']);
  assert.is(result.actions[0]!.reason, 'route file edited by hand');
});

test('route whose header was removed counts as edited', () => {
  const route = routeTo(serving);
  const result = plan(input([valid(desiredApp('web'))], [serving], [{ ...route, content: 'server {}', header: undefined }]));
  assert.is(result.actions[0]!.reason, 'route file edited by hand');
});

test('changed domains rewrite the route without a redeploy', () => {
  const app = desiredApp('web', {}, ['new.test']);
  const result = plan(input([valid(app)], [serving], [routeTo(serving)]));
  assert.equal(kinds(result), ['write-route:web']);
  assert.match(result.actions[0]!.kind === 'write-route' ? result.actions[0]!.content : '', /server_name new\.test;/);
});

test('app without domains loses its route', () => {
  const result = plan(input([valid(desiredApp('web', {}, []))], [serving], [routeTo(serving)]));
  assert.equal(kinds(result), ['remove-route:web']);
});

test('left-over containers of a converged app are removed', () => {
  const leftover = container('web', 'r1', { revision: 'rev1111111', specHash: 'spec-web-1', state: 'exited' });
  const result = plan(input([valid(desiredApp('web'))], [serving, leftover], [routeTo(serving)]));
  assert.equal(kinds(result), ['remove-container:web']);
  assert.match(result.actions[0]!.reason, /old release r1 \(exited\)/);
});

test('of two running copies of the desired spec, the routed one is kept', () => {
  const twin = container('web', 'r3', { id: 'twin', name: 'nexus-demo-web-a-first-by-name' });
  const result = plan(input([valid(desiredApp('web'))], [twin, serving], [routeTo(serving)]));
  assert.equal(result.actions.map((action) => action.kind === 'remove-container' && action.container.id), ['twin']);
});

test('app removed from the manifest is pruned (route first, then container)', () => {
  const gone = container('api', 'r1', { specHash: 'spec-api-1' });
  const result = plan(input([valid(desiredApp('web'))], [serving, gone], [routeTo(serving), routeTo(gone)]));
  assert.equal(kinds(result), ['remove-route:api', 'remove-container:api']);
  assert.ok(result.actions.every((action) => action.reason === 'app removed from manifest'));
});

test('repo removed from the agent config is pruned', () => {
  const other = container('web', 'r1', { repo: 'old', id: 'other' });
  const result = plan(input([valid(desiredApp('web'))], [serving, other], [routeTo(serving), routeTo(other)]));
  assert.equal(kinds(result), ['remove-route:web', 'remove-container:web']);
  assert.ok(result.actions.every((action) => action.repo === 'old' && action.reason === 'repo removed from agent config'));
});

test('invalid manifest keeps every app of the repo as it is', () => {
  const invalid: DesiredRepo = { kind: 'invalid', repo: 'demo', revision: 'rev3', problems: [{ file: 'nexus.yaml', line: 1, column: 1, path: '', message: 'bad' }] };
  const stale = container('web', 'r1', { specHash: 'old', state: 'exited' });
  assert.equal(plan(input([invalid], [serving, stale], [routeTo(serving)])).actions, []);
});

test('a configured repo never fetched is not pruned', () => {
  const result = plan({ ...input([], [serving], [routeTo(serving)]), configuredRepos: ['demo'] });
  assert.equal(result.actions, []);
});

test('several apps are planned independently', () => {
  const result = plan(input([valid(desiredApp('api'), desiredApp('web'))], [serving], [routeTo(serving)]));
  assert.equal(kinds(result), ['deploy:api']);
});

test('plan is deterministic', () => {
  const make = () => input([valid(desiredApp('web'), desiredApp('api'))], [container('web', 'r1', { specHash: 'x' })], []);
  assert.equal(plan(make()), plan(make()));
});

// --- domain conflicts -------------------------------------------------------

const otherRepo = (...apps: DesiredApp[]): DesiredRepo => ({ kind: 'valid', repo: 'other', revision: 'rev9999999', apps: apps.map((app) => ({ ...app, repo: 'other' })) });

test('two repos claiming one domain: the one serving it keeps it, the other is refused naming both', () => {
  const intruder = desiredApp('shop', {}, ['web.test']);
  const result = plan({ ...input([valid(desiredApp('web')), otherRepo(intruder)], [serving], [routeTo(serving)]), configuredRepos: ['demo', 'other'] });
  assert.equal(kinds(result), []);
  assert.equal(result.held.map((hold) => `${hold.repo}/${hold.app}`), ['other/shop']);
  assert.match(result.held[0]!.reason, /domain web\.test is already claimed by demo\/web; other\/shop is refused/);
});

test('domain conflict with nothing serving yet: the first by name wins, deterministically', () => {
  const result = plan({ ...input([otherRepo(desiredApp('web')), valid(desiredApp('web'))], [], []), configuredRepos: ['demo', 'other'] });
  assert.equal(kinds(result), ['deploy:web']);
  assert.is(result.actions[0]!.repo, 'demo');
  assert.match(result.held[0]!.reason, /already claimed by demo\/web; other\/web is refused/);
});

test('an app whose deploy is under way keeps the new domain it claims against a later claimant that sorts first', () => {
  // other/web's first deploy is building when demo/web (which sorts first) claims the same domain.
  const result = plan({ ...input([valid(desiredApp('web')), otherRepo(desiredApp('web'))], [], []), configuredRepos: ['demo', 'other'], inFlight: ['other/web'] });
  assert.equal(result.held.map((hold) => `${hold.repo}/${hold.app}`), ['demo/web']);
  assert.match(result.held[0]!.reason, /already claimed by other\/web; demo\/web is refused/);
});

test('the serving owner keeps the domain even when it sorts last', () => {
  const owner = container('web', 'r9', { repo: 'other', id: 'other-web' });
  const result = plan({ ...input([valid(desiredApp('web')), otherRepo(desiredApp('web'))], [owner], [routeTo(owner, ['web.test'])]), configuredRepos: ['demo', 'other'] });
  assert.equal(result.held.map((hold) => `${hold.repo}/${hold.app}`), ['demo/web']);
  assert.equal(kinds(result), []);
});

test('a refused app that already runs is neither changed nor pruned', () => {
  const running = container('shop', 'r1', { repo: 'other', id: 'shop-1', specHash: 'old' });
  const result = plan({ ...input([valid(desiredApp('web')), otherRepo(desiredApp('shop', {}, ['web.test']))], [serving, running], [routeTo(serving)]), configuredRepos: ['demo', 'other'] });
  assert.equal(result.actions, []);
});

// --- rollback pins ------------------------------------------------------------

function pinnedAt(release: string, specHash: string, gitSpecHash = 'spec-web-2'): Record<string, PinnedRelease> {
  const deployment: Deployment = {
    id: `dep-${release}`, repo: 'demo', app: 'web', revision: 'rev1111111', specHash, trigger: 'poll', reason: 'x', status: 'success', release,
    startedAt: 't', image: 'nexus/demo-web:old',
    snapshot: { image: 'nexus/demo-web:old', port: 3000, domains: ['web.test'], health: { path: '/', timeoutMs: 1000 }, env: { A: '1' }, sealedEnv: {} },
  };
  return { 'demo/web': { pin: { deploymentId: deployment.id, gitSpecHash, at: 't' }, deployment } };
}

test('a pin deploys the recorded image, without a build', () => {
  const result = plan({ ...input([valid(desiredApp('web'))], [serving], [routeTo(serving)]), pins: pinnedAt('r1', 'spec-web-1') });
  assert.equal(kinds(result), ['deploy:web']);
  const action = result.actions[0]!;
  assert.ok(action.kind === 'deploy');
  if (action.kind !== 'deploy') return;
  assert.is(action.desired.image, 'nexus/demo-web:old');
  assert.is(action.desired.specHash, 'spec-web-1');
  assert.equal(action.desired.spec.env, { A: '1' });
  assert.match(action.reason, /rollback pin: release r1 .*no build/);
});

test('a pinned release that serves is converged: polls do not fight the pin', () => {
  const old = container('web', 'r1', { specHash: 'spec-web-1', revision: 'rev1111111' });
  const result = plan({ ...input([valid(desiredApp('web'))], [old], [routeTo(old)]), pins: pinnedAt('r1', 'spec-web-1') });
  assert.equal(result.actions, []);
});

test('a new commit that changes the app ends the pin and deploys git', () => {
  const old = container('web', 'r1', { specHash: 'spec-web-1', revision: 'rev1111111' });
  const result = plan({ ...input([valid(desiredApp('web', { specHash: 'spec-web-3', revision: 'rev3333333' }))], [old], [routeTo(old)]), pins: pinnedAt('r1', 'spec-web-1') });
  assert.equal(kinds(result), ['unpin:web', 'deploy:web']);
  assert.match(result.actions[0]!.reason, /rev3333 changes web: the rollback pin to release r1 ends/);
  const deploy = result.actions[1]!;
  assert.is(deploy.kind === 'deploy' && deploy.desired.image, undefined);
});

test('a failed pinned release is held like any failed spec', () => {
  const failed = { 'demo/web': { specHash: 'spec-web-1', revision: 'rev1111111', deploymentId: 'd', message: 'image gone', at: 'now' } };
  const result = plan({ ...input([valid(desiredApp('web'))], [serving], [routeTo(serving)], failed), pins: pinnedAt('r1', 'spec-web-1') });
  assert.equal(result.actions, []);
  assert.match(result.held[0]!.reason, /image gone/);
});

test('a desired-spec container nginx does not route to, beside the routed old release, is not trusted (crash before switch)', () => {
  const old = container('web', 'r1', { revision: 'rev1111111', specHash: 'spec-web-1' });
  const unswitched = container('web', 'r2', { hostPort: 40001 });
  const result = plan(input([valid(desiredApp('web'))], [old, unswitched], [routeTo(old)]));
  assert.equal(kinds(result), ['deploy:web']);
  assert.match(result.actions[0]!.reason, /never switched to/);
  const action = result.actions[0]!;
  assert.equal(action.kind === 'deploy' && action.replaces.map((c) => c.release).sort(), ['r1', 'r2']);
});

test('a container changed by hand (env, limits) is replaced through a deploy, naming what drifted', () => {
  const drifted = { ...serving, drift: ['memory limit changed by hand', 'environment changed by hand'] };
  const result = plan(input([valid(desiredApp('web'))], [drifted], [routeTo(drifted)]));
  assert.equal(kinds(result), ['deploy:web']);
  assert.match(result.actions[0]!.reason, /drifted from its release: memory limit changed by hand, environment changed by hand/);
});

// --- databases and secrets ----------------------------------------------------

const withDb = (overrides: Partial<DesiredApp> = {}) => {
  const app = desiredApp('web', overrides);
  return { ...app, spec: { ...app.spec, database: 'postgres' as const } };
};
const record = { database: 'app_demo_web', role: 'app_demo_web', sealedPassword: 'sealed', createdAt: 't' };

test('an app asking for a database gets one first; nothing else is planned for it in that pass', () => {
  const result = plan({ ...input([valid(withDb())], [], []), observed: { containers: [], routes: [], databaseServer: { reachable: true, databases: [] } } });
  assert.equal(kinds(result), ['ensure-database:web']);
  assert.match(result.actions[0]!.reason, /asks for a Postgres database/);
});

test('a recorded database missing on the server is made again', () => {
  const result = plan({ ...input([valid(withDb())], [serving], [routeTo(serving)]), observed: { containers: [serving], routes: [routeTo(serving)], databaseServer: { reachable: true, databases: [] } }, databases: { 'demo/web': record } });
  assert.equal(kinds(result), ['ensure-database:web']);
  assert.match(result.actions[0]!.reason, /database app_demo_web is missing on the server/);
});

test('database server unreachable: the app is held with the reason, other apps go on', () => {
  const other = desiredApp('api');
  const result = plan({ ...input([valid(withDb(), other)], [serving], [routeTo(serving)]), observed: { containers: [serving], routes: [routeTo(serving)], databaseServer: { reachable: false, reason: 'connect ECONNREFUSED postgres:5432' } }, databases: { 'demo/web': record } });
  assert.equal(kinds(result), ['deploy:api']);
  assert.match(result.held[0]!.reason, /web needs its Postgres database, but connect ECONNREFUSED postgres:5432 — the running release keeps serving/);
});

test('with its database present the app is planned as usual', () => {
  const result = plan({ ...input([valid(withDb())], [], []), observed: { containers: [], routes: [], databaseServer: { reachable: true, databases: ['app_demo_web'] } }, databases: { 'demo/web': record } });
  assert.equal(kinds(result), ['deploy:web']);
});

test('a referenced out-of-band secret that is not set holds the app, saying the command to run', () => {
  const app = desiredApp('web');
  const withSecret = { ...app, spec: { ...app.spec, secrets: { STRIPE_KEY: { kind: 'stored' as const, name: 'STRIPE' } } } };
  const result = plan(input([valid(withSecret)], [serving], [routeTo(serving)]));
  assert.equal(result.actions, []);
  assert.match(result.held[0]!.reason, /secret STRIPE_KEY \(secret STRIPE\) of app web is not set — run `nexus secret set web STRIPE`/);
  const set = plan({ ...input([valid(withSecret)], [], []), storedSecrets: { 'demo/web': ['STRIPE'] } });
  assert.equal(kinds(set), ['deploy:web']);
});

test('every action kind is produced by some plan above', () => {
  // Guards the table: a new kind must come with cases that produce it.
  assert.equal([...ACTION_KINDS].sort(), ['deploy', 'ensure-database', 'remove-container', 'remove-route', 'unpin', 'write-route']);
});

test.run();
