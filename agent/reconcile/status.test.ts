import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emptyState, type StateData } from '../../state/index.ts';
import { buildStatus } from './status.ts';
import type { DesiredApp, DesiredRepo } from './desired.ts';

const app = (name: string, database: boolean): DesiredApp => ({
  repo: 'r', app: name, revision: 'x', build: { buildKey: 'b', context: '.', dockerfile: 'Dockerfile', exclude: [], explanation: 'Dockerfile' }, buildKey: 'b', specHash: 'h',
  spec: { name, build: { context: '.', dockerfile: 'Dockerfile' }, port: 1, domains: [], health: { path: '/', timeoutMs: 1 }, env: {}, ...(database ? { database: 'postgres' as const } : {}) },
});
const record = (database: string) => ({ database, role: database, sealedPassword: 's', createdAt: 't' });
const state: StateData = { ...emptyState(), databases: { 'r/notes': record('nx_notes'), 'r/todo': record('nx_todo') } };

function orphans(snapshot: DesiredRepo | undefined) {
  const snapshots = new Map(snapshot ? [['r', snapshot]] : []);
  return buildStatus({ repos: [{ name: 'r', url: 'u', branch: 'main' }], snapshots, observed: { containers: [], routes: [] }, state, held: new Map(), busy: new Set(), urlOf: (domain) => domain }).orphanedDatabases;
}

test('a database whose app left the manifest is reported orphaned, also beside apps without a database', () => {
  assert.equal(orphans({ kind: 'valid', repo: 'r', revision: 'x', apps: [app('hello', false), app('todo', true)] }), [{ repo: 'r', app: 'notes', database: 'nx_notes' }]);
});

test('nothing is orphaned while every database is wanted', () => {
  assert.is(orphans({ kind: 'valid', repo: 'r', revision: 'x', apps: [app('notes', true), app('todo', true)] }), undefined);
});

test('an invalid or not yet fetched manifest orphans nothing', () => {
  assert.is(orphans({ kind: 'invalid', repo: 'r', revision: 'x', problems: [] }), undefined);
  assert.is(orphans(undefined), undefined);
});

test.run();
