/** Repository URL keys and matching deliveries to configured repos. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { matchRepos, normaliseRepoUrl } from './match.ts';

test('URLs normalise to host/path', () => {
  const table: [string, string | undefined][] = [
    ['https://github.com/acme/shop.git', 'github.com/acme/shop'],
    ['https://github.com/acme/shop', 'github.com/acme/shop'],
    ['https://github.com/acme/shop/', 'github.com/acme/shop'],
    ['https://github.com/acme/shop.git/', 'github.com/acme/shop'],
    ['https://x-access-token:ghs_abc123@github.com/acme/shop.git', 'github.com/acme/shop'],
    ['https://oauth2@gitlab.example.com/acme/shop.git', 'gitlab.example.com/acme/shop'],
    ['https://git.example.com:8443/acme/shop.git', 'git.example.com:8443/acme/shop'],
    ['http://git.example.com:3000/acme/shop.git', 'git.example.com:3000/acme/shop'],
    ['https://git.example.com:443/acme/shop.git', 'git.example.com/acme/shop'],
    ['http://git.example.com:80/acme/shop', 'git.example.com/acme/shop'],
    ['ssh://git@git.example.com:22/acme/shop.git', 'git.example.com/acme/shop'],
    ['ssh://git@git.example.com:2222/acme/shop.git', 'git.example.com:2222/acme/shop'],
    ['ssh://git@GIT.Example.com/acme/shop.git', 'git.example.com/acme/shop'],
    ['git+ssh://git@github.com/acme/shop.git', 'github.com/acme/shop'],
    ['git://github.com/acme/shop.git', 'github.com/acme/shop'],
    ['git@github.com:acme/shop.git', 'github.com/acme/shop'],
    ['github.com:acme/shop', 'github.com/acme/shop'],
    ['git@gitlab.example.com:acme/platform/shop.git', 'gitlab.example.com/acme/platform/shop'],
    ['git@[::1]:acme/shop.git', '[::1]/acme/shop'],
    ['HTTP://HOST.example/o/r/', 'host.example/o/r'],
    ['  https://github.com/acme/shop.git  ', 'github.com/acme/shop'],
    ['https://github.com/acme/shop.git?tab=readme#top', 'github.com/acme/shop'],
    // Only the host is lower-cased: paths keep their case.
    ['https://github.com/Acme/Shop.git', 'github.com/Acme/Shop'],
    // Not hosted repositories, or no path at all.
    ['https://github.com/', undefined],
    ['https://github.com/.git', undefined],
    ['file:///srv/git/shop.git', undefined],
    ['/srv/git/shop.git', undefined],
    ['C:/repos/shop', undefined],
    ['ssh://git@host:port/o/r', undefined],
    ['not a url', undefined],
    ['', undefined],
  ];
  for (const [url, expected] of table) assert.is(normaliseRepoUrl(url), expected, url);
});

test('a delivery matches every configured repo with the same key, and only those', () => {
  const configured = [
    { name: 'shop', url: 'https://github.com/acme/shop.git' },
    { name: 'shop-copy', url: 'https://github.com/acme/shop-copy.git' },
    { name: 'shop-sub', url: 'https://github.com/acme/shop/sub.git' },
    { name: 'other-host', url: 'https://gitlab.example.com/acme/shop.git' },
    { name: 'shop-staging', url: 'https://github.com/acme/shop' },
    { name: 'broken', url: 'not a url' },
  ];
  const githubUrls = ['https://github.com/acme/shop.git', 'https://github.com/acme/shop', 'git@github.com:acme/shop.git', 'git://github.com/acme/shop.git'];
  assert.equal(matchRepos(githubUrls, configured), ['shop', 'shop-staging']);
  assert.equal(matchRepos(['git@github.com:acme/shop.git'], configured), ['shop', 'shop-staging']);
  assert.equal(matchRepos(['https://github.com/acme/shop-copy'], configured), ['shop-copy']);
  assert.equal(matchRepos(['https://github.com/acme'], configured), []);
  assert.equal(matchRepos([], configured), []);
  assert.equal(matchRepos(['not a url'], configured), []);
});

test('ports must agree, names come out once', () => {
  const configured = [
    { name: 'a', url: 'http://git.example.com:3000/acme/shop.git' },
    { name: 'a', url: 'http://git.example.com:3000/acme/shop' },
    { name: 'b', url: 'https://git.example.com/acme/shop.git' },
  ];
  assert.equal(matchRepos(['http://git.example.com:3000/acme/shop.git', 'ssh://git@git.example.com:2222/acme/shop.git'], configured), ['a']);
  assert.equal(matchRepos(['https://git.example.com:443/acme/shop'], configured), ['b']);
});

test.run();
