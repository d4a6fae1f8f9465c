import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Detection } from './detect.ts';
import { renderGeneratedBuild, renderStaticNginxConf, GENERATED_DIR } from './dockerfile.ts';
import type { PackageManager } from './package-manager.ts';

// Distinct names, so a test can tell that the FROM lines come from the agent config.
const images = { node: 'registry.test/node:20', static: 'registry.test/nginx:stable', python: 'registry.test/python:3.11' };
const port = 8080;

const npmCi: PackageManager = { name: 'npm', manifestFiles: ['package.json', 'package-lock.json'], install: 'npm ci', run: 'npm run', reason: 'npm ci (package-lock.json)' };
const pnpm: PackageManager = { name: 'pnpm', manifestFiles: ['package.json', 'pnpm-lock.yaml'], install: 'pnpm install --frozen-lockfile', run: 'pnpm run', reason: 'pnpm (pnpm-lock.yaml)', setup: 'npm install -g --force pnpm@9.1.0' };

function npmApp(fields: Partial<Detection> & Pick<Detection, 'kind' | 'runtime' | 'reasons'>): Detection {
  return { packageManager: npmCi, install: npmCi.install, installFiles: npmCi.manifestFiles, spaFallback: false, overridden: [], ...fields };
}

const detections = {
  vite: npmApp({ kind: 'vite', runtime: 'static', reasons: ['package.json depends on vite', 'vite.config.ts present'], build: 'npm run build', output: 'dist', spaFallback: true }),
  nextStandalone: npmApp({ kind: 'nextjs', runtime: 'node', reasons: ['package.json depends on next', 'next.config.mjs present'], build: 'npm run build', output: '.next', start: 'node server.js', standalone: true }),
  next: npmApp({ kind: 'nextjs', runtime: 'node', reasons: ['package.json depends on next'], build: 'npm run build', output: '.next', start: 'node_modules/.bin/next start', standalone: false }),
  nuxt: npmApp({ kind: 'nuxt', runtime: 'node', reasons: ['package.json depends on nuxt'], build: 'npm run build', output: '.output', start: 'node .output/server/index.mjs' }),
  node: npmApp({ kind: 'node', runtime: 'node', reasons: ['package.json has a start script'], start: 'npm start' }),
  nodePnpm: { ...npmApp({ kind: 'node', runtime: 'node', reasons: ['package.json has a start script'], build: 'pnpm run build', start: 'node dist/server.js' }), packageManager: pnpm, install: pnpm.install, installFiles: pnpm.manifestFiles },
  astro: npmApp({ kind: 'astro', runtime: 'static', reasons: ['package.json depends on astro'], build: 'npm run build', output: 'dist' }),
  static: { kind: 'static', runtime: 'static', reasons: ['index.html present, no package.json'], installFiles: [], output: '.', spaFallback: false, overridden: [] },
  python: { kind: 'python', runtime: 'python', reasons: ['main.py present'], installFiles: [], start: 'python main.py', spaFallback: false, overridden: [] },
  pythonRequirements: {
    kind: 'python', runtime: 'python', reasons: ['main.py present', 'requirements.txt present'], install: 'pip install --no-cache-dir -r requirements.txt',
    installFiles: ['requirements.txt'], start: 'python main.py', spaFallback: false, overridden: [],
  },
} satisfies Record<string, Detection>;

function render(detection: Detection) {
  return renderGeneratedBuild(detection, { images, port });
}

function dockerfileOf(detection: Detection): string {
  const build = render(detection);
  assert.is(build.dockerfilePath, `${GENERATED_DIR}/Dockerfile`);
  return build.files[build.dockerfilePath]!;
}

/** The lines after the last FROM: what the running container is made of. */
function runtimeStage(dockerfile: string): string[] {
  const lines = dockerfile.trimEnd().split('\n');
  const from = lines.map((line, index) => (line.startsWith('FROM ') ? index : -1)).filter((index) => index >= 0).pop()!;
  return lines.slice(from);
}

/** What every generated Dockerfile must be: classic-builder syntax, non-root, the app's port, the configured images. */
function assertCommonShape(dockerfile: string, fromImages: string[]): void {
  const lines = dockerfile.split('\n');
  assert.equal(lines.filter((line) => line.startsWith('FROM ')).map((line) => line.split(' ')[1]), fromImages);
  const runtime = runtimeStage(dockerfile);
  assert.ok(runtime.includes('USER 10001:10001'), 'the runtime stage runs as 10001');
  assert.ok(runtime.includes(`EXPOSE ${port}`), `the runtime stage exposes ${port}`);
  assert.not.match(dockerfile, 'RUN --mount');
  assert.not.match(dockerfile, '<<');
  assert.not.ok(lines.some((line) => /^#\s*syntax\s*=/i.test(line)), 'no # syntax line');
}

/** The install layer sees only the manifest and lock file, and comes before the rest of the source. */
function assertInstallLayerFirst(dockerfile: string, installFiles: string[], install: string): void {
  const lines = dockerfile.split('\n');
  const copies = lines.filter((line) => line.startsWith('COPY ['));
  assert.equal(copies, [`COPY [${installFiles.map((file) => JSON.stringify(file)).join(', ')}, "./"]`]);
  const manifestCopy = lines.indexOf(copies[0]!);
  const installRun = lines.indexOf(`RUN ${install}`);
  const sourceCopy = lines.findIndex((line) => /^COPY (--chown=\S+ )?\. \.$/.test(line));
  assert.ok(manifestCopy >= 0 && installRun > manifestCopy && sourceCopy > installRun, `order: manifest ${manifestCopy} < install ${installRun} < source ${sourceCopy}`);
}

test('vite: build stage on node, static runtime on nginx (whole text)', () => {
  const build = render(detections.vite);
  assert.equal(Object.keys(build.files).sort(), ['.nexus-build/Dockerfile', '.nexus-build/nginx.conf']);
  assert.is(build.files['.nexus-build/Dockerfile'], [
    '# Generated by Nexus for a vite app: package.json depends on vite, vite.config.ts present',
    'FROM registry.test/node:20 AS build',
    'LABEL nexus.stage=build',
    'WORKDIR /app',
    'COPY ["package.json", "package-lock.json", "./"]',
    'RUN npm ci',
    'COPY . .',
    'RUN rm -rf .nexus-build',
    'ENV NODE_ENV=production',
    'RUN npm run build',
    'FROM registry.test/nginx:stable',
    'COPY .nexus-build/nginx.conf /etc/nexus/nginx.conf',
    'COPY --from=build /app/dist /srv/www',
    'USER 10001:10001',
    'EXPOSE 8080',
    'CMD ["nginx", "-c", "/etc/nexus/nginx.conf"]',
    '',
  ].join('\n'));
});

test('nextjs standalone: only the standalone server, static assets and public in the runtime (whole text)', () => {
  assert.is(dockerfileOf(detections.nextStandalone), [
    '# Generated by Nexus for a nextjs app: package.json depends on next, next.config.mjs present',
    'FROM registry.test/node:20 AS build',
    'LABEL nexus.stage=build',
    'WORKDIR /app',
    'COPY ["package.json", "package-lock.json", "./"]',
    'RUN npm ci',
    'COPY . .',
    'RUN rm -rf .nexus-build',
    'ENV NODE_ENV=production',
    'RUN npm run build',
    'RUN mkdir -p public .next/static',
    'FROM registry.test/node:20',
    'WORKDIR /app',
    'ENV NODE_ENV=production HOME=/tmp HOST=0.0.0.0 HOSTNAME=0.0.0.0 PORT=8080 NITRO_HOST=0.0.0.0 NITRO_PORT=8080',
    'COPY --from=build --chown=10001:10001 /app/.next/standalone ./',
    'COPY --from=build --chown=10001:10001 /app/.next/static ./.next/static',
    'COPY --from=build --chown=10001:10001 /app/public ./public',
    'USER 10001:10001',
    'EXPOSE 8080',
    'CMD ["sh", "-c", "exec node server.js"]',
    '',
  ].join('\n'));
});

test('nextjs without standalone: the whole built app is the runtime, started by next', () => {
  const dockerfile = dockerfileOf(detections.next);
  assertCommonShape(dockerfile, [images.node, images.node]);
  assertInstallLayerFirst(dockerfile, ['package.json', 'package-lock.json'], 'npm ci');
  const runtime = runtimeStage(dockerfile);
  assert.ok(runtime.includes('COPY --from=build --chown=10001:10001 /app ./'));
  assert.is(runtime[runtime.length - 1], 'CMD ["sh", "-c", "exec node_modules/.bin/next start"]');
});

test('nuxt: only .output in the runtime, Nitro listening on the port', () => {
  const dockerfile = dockerfileOf(detections.nuxt);
  assertCommonShape(dockerfile, [images.node, images.node]);
  assertInstallLayerFirst(dockerfile, ['package.json', 'package-lock.json'], 'npm ci');
  const runtime = runtimeStage(dockerfile);
  assert.ok(runtime.includes('COPY --from=build --chown=10001:10001 /app/.output ./.output'));
  assert.ok(runtime.some((line) => line.startsWith('ENV ') && line.includes('NITRO_PORT=8080') && line.includes('NITRO_HOST=0.0.0.0')));
  assert.is(runtime[runtime.length - 1], 'CMD ["sh", "-c", "exec node .output/server/index.mjs"]');
});

test('node: install layer, no build step, the app copied whole', () => {
  const dockerfile = dockerfileOf(detections.node);
  assertCommonShape(dockerfile, [images.node, images.node]);
  assertInstallLayerFirst(dockerfile, ['package.json', 'package-lock.json'], 'npm ci');
  assert.not.match(dockerfile, 'npm run build');
  const runtime = runtimeStage(dockerfile);
  assert.ok(runtime.includes('COPY --from=build --chown=10001:10001 /app ./'));
  assert.ok(runtime.some((line) => line.startsWith('ENV ') && line.includes('PORT=8080') && line.includes('HOST=0.0.0.0')));
  assert.is(runtime[runtime.length - 1], 'CMD ["sh", "-c", "exec npm start"]');
});

test('node with pnpm: the manager is set up before its install layer', () => {
  const dockerfile = dockerfileOf(detections.nodePnpm);
  assertCommonShape(dockerfile, [images.node, images.node]);
  assertInstallLayerFirst(dockerfile, ['package.json', 'pnpm-lock.yaml'], 'pnpm install --frozen-lockfile');
  const lines = dockerfile.split('\n');
  const setup = lines.indexOf('RUN npm install -g --force pnpm@9.1.0');
  assert.ok(setup > 0 && setup < lines.indexOf('COPY ["package.json", "pnpm-lock.yaml", "./"]'), 'setup comes first');
  assert.ok(lines.indexOf('RUN pnpm run build') > lines.indexOf('COPY . .'));
});

test('static site without package.json: nginx only, files served as committed, 404 for unknown paths', () => {
  const build = render(detections.static);
  const dockerfile = build.files[build.dockerfilePath]!;
  assertCommonShape(dockerfile, [images.static]);
  assert.not.match(dockerfile, 'COPY [');
  assert.not.match(dockerfile, '--from=build');
  const lines = dockerfile.split('\n');
  assert.ok(lines.indexOf('COPY . /srv/www') > 0);
  assert.ok(lines.indexOf('RUN rm -rf /srv/www/.nexus-build') > lines.indexOf('COPY . /srv/www'));
  const nginx = build.files['.nexus-build/nginx.conf']!;
  assert.match(nginx, `    listen ${port};`);
  assert.match(nginx, 'try_files $uri $uri/ $uri.html =404;');
  assert.not.match(nginx, '/index.html;');
});

test('static builds (astro, vite): nginx.conf listens on the port; SPA fallback only for vite', () => {
  for (const [detection, fallback] of [[detections.vite, '/index.html'], [detections.astro, '=404']] as const) {
    const build = render(detection);
    const dockerfile = build.files[build.dockerfilePath]!;
    assertCommonShape(dockerfile, [images.node, images.static]);
    assertInstallLayerFirst(dockerfile, ['package.json', 'package-lock.json'], 'npm ci');
    assert.ok(runtimeStage(dockerfile).includes('COPY --from=build /app/dist /srv/www'));
    const nginx = build.files['.nexus-build/nginx.conf']!;
    assert.match(nginx, `listen ${port};`);
    assert.match(nginx, `try_files $uri $uri/ $uri.html ${fallback};`);
  }
});

test('python with requirements.txt: pip install in its own layer before the source', () => {
  const build = render(detections.pythonRequirements);
  assert.equal(Object.keys(build.files), ['.nexus-build/Dockerfile'], 'no nginx.conf');
  const dockerfile = build.files[build.dockerfilePath]!;
  assertCommonShape(dockerfile, [images.python]);
  assertInstallLayerFirst(dockerfile, ['requirements.txt'], 'pip install --no-cache-dir -r requirements.txt');
  assert.ok(dockerfile.includes(`PORT=${port}`));
  assert.match(dockerfile, 'CMD ["sh", "-c", "exec python main.py"]');
});

test('python without requirements.txt: no install layer at all', () => {
  const dockerfile = dockerfileOf(detections.python);
  assertCommonShape(dockerfile, [images.python]);
  assert.not.match(dockerfile, 'pip install');
  assert.not.match(dockerfile, 'COPY [');
  assert.ok(dockerfile.split('\n').includes('COPY --chown=10001:10001 . .'));
  assert.match(dockerfile, 'CMD ["sh", "-c", "exec python main.py"]');
});

test('the start command is quoted as JSON inside the CMD', () => {
  const dockerfile = dockerfileOf({ ...detections.node, start: 'node -e "console.log(1)"' });
  assert.match(dockerfile, 'CMD ["sh", "-c", "exec node -e \\"console.log(1)\\""]');
});

test('renderStaticNginxConf: a single-page app on 8080 (whole text)', () => {
  assert.is(renderStaticNginxConf({ port: 8080, spaFallback: true }), [
    'daemon off;',
    'worker_processes 1;',
    'pid /tmp/nginx.pid;',
    'error_log stderr warn;',
    'events { worker_connections 1024; }',
    'http {',
    '  include /etc/nginx/mime.types;',
    '  default_type application/octet-stream;',
    '  access_log off;',
    '  sendfile on;',
    '  server_tokens off;',
    '  client_body_temp_path /tmp/client_body;',
    '  proxy_temp_path /tmp/proxy;',
    '  fastcgi_temp_path /tmp/fastcgi;',
    '  uwsgi_temp_path /tmp/uwsgi;',
    '  scgi_temp_path /tmp/scgi;',
    '  server {',
    '    listen 8080;',
    '    root /srv/www;',
    '    index index.html;',
    '    absolute_redirect off;',
    '    location / { try_files $uri $uri/ $uri.html /index.html; }',
    '  }',
    '}',
    '',
  ].join('\n'));
});

test('renderStaticNginxConf: without SPA fallback unknown paths are a 404 with the site\'s 404.html', () => {
  const text = renderStaticNginxConf({ port: 80, spaFallback: false });
  assert.match(text, '    listen 80;\n');
  assert.match(text, '    location / { try_files $uri $uri/ $uri.html =404; }\n    error_page 404 /404.html;\n');
});

test.run();
