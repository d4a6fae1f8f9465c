import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderServerBlock, parseRouteHeader, routeFileName, probeAddress } from './render.ts';

const route = { repo: 'demo', app: 'web-app', release: 'abc1234-0f0f0f', domains: ['a.test', 'b.test'], listen: '127.0.0.1:8080', upstreamPort: 49153 };

test('server block routes the domains to the loopback port', () => {
  const text = renderServerBlock(route);
  assert.match(text, 'listen 127.0.0.1:8080;');
  assert.match(text, 'server_name a.test b.test;');
  assert.match(text, 'server 127.0.0.1:49153;');
  assert.match(text, 'upstream nexus_demo__web_app {');
  assert.match(text, 'proxy_pass http://nexus_demo__web_app;');
  assert.match(text, 'proxy_set_header Host $host;');
  assert.match(text, 'add_header X-Nexus-Release "abc1234-0f0f0f" always;');
});

test('the address nginx is probed on: loopback for a bare port or a wildcard, else the listen address', () => {
  assert.equal(probeAddress('80'), { host: '127.0.0.1', port: 80 });
  assert.equal(probeAddress('0.0.0.0:8080'), { host: '127.0.0.1', port: 8080 });
  assert.equal(probeAddress('*:81'), { host: '127.0.0.1', port: 81 });
  assert.equal(probeAddress('127.0.0.1:9000'), { host: '127.0.0.1', port: 9000 });
  assert.equal(probeAddress('[::]:80'), { host: '::1', port: 80 });
  assert.equal(probeAddress('[::1]:8081'), { host: '::1', port: 8081 });
});

test('header round-trips', () => {
  assert.equal(parseRouteHeader(renderServerBlock(route)), { repo: 'demo', app: 'web-app', release: 'abc1234-0f0f0f', upstreamPort: 49153, domains: ['a.test', 'b.test'] });
});

test('a mangled header reads as undefined', () => {
  assert.is(parseRouteHeader('server {}'), undefined);
  assert.is(parseRouteHeader('# nexus-route {not json'), undefined);
  assert.is(parseRouteHeader('# nexus-route {"repo":"a"}'), undefined);
});

test('route file name names repo and app', () => {
  assert.is(routeFileName('demo', 'web'), 'nexus--demo--web.conf');
});

test.run();
