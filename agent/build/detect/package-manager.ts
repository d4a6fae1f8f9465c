/** How dependencies are installed and scripts run, as decided from the committed files. */
export interface PackageManager {
  name: 'npm' | 'pnpm' | 'yarn' | 'bun';
  /** Files the install layer is keyed by (package.json + lock file), present in the tree. */
  manifestFiles: string[];
  install: string;
  /** `run <script>` prefix, e.g. "npm run". */
  run: string;
  /** Why, in words: "npm ci (package-lock.json)". */
  reason: string;
  /** A shell command that makes the manager available in the node image, if npm is not it. */
  setup?: string;
}

const LOCK_FILES: { file: string; name: PackageManager['name'] }[] = [
  { file: 'package-lock.json', name: 'npm' },
  { file: 'npm-shrinkwrap.json', name: 'npm' },
  { file: 'pnpm-lock.yaml', name: 'pnpm' },
  { file: 'yarn.lock', name: 'yarn' },
  { file: 'bun.lock', name: 'bun' },
  { file: 'bun.lockb', name: 'bun' },
];

/**
 * The package manager: the `packageManager` field of package.json wins,
 * then the lock file present; with neither it is npm (not yarn, whatever
 * other detectors guess for a bare package.json). Pure.
 */
export function detectPackageManager(files: ReadonlySet<string>, packageManagerField: unknown): PackageManager {
  const declared = typeof packageManagerField === 'string' ? /^(npm|pnpm|yarn|bun)@([0-9A-Za-z.+-]+)/.exec(packageManagerField) : null;
  const lock = LOCK_FILES.find((item) => files.has(item.file) && (!declared || item.name === declared[1]));
  const name = (declared?.[1] ?? lock?.name ?? 'npm') as PackageManager['name'];
  const version = declared?.[2];
  const manifestFiles = ['package.json', ...(lock ? [lock.file] : []), ...['.npmrc', '.yarnrc.yml'].filter((file) => files.has(file))];
  // Only the part the pattern vouched for is shown (the field may carry anything after it).
  const source = declared ? `packageManager ${declared[0]}` : lock ? lock.file : 'no lock file';
  switch (name) {
    case 'pnpm':
      return { name, manifestFiles, install: lock ? 'pnpm install --frozen-lockfile' : 'pnpm install', run: 'pnpm run', reason: `pnpm (${source})`, setup: `npm install -g --force pnpm@${version ?? 'latest'}` };
    case 'yarn':
      return { name, manifestFiles, install: lock ? 'yarn install --frozen-lockfile' : 'yarn install', run: 'yarn run', reason: `yarn (${source})`, setup: `npm install -g --force yarn@${version?.startsWith('1.') ? version : '1'}` };
    case 'bun':
      return { name, manifestFiles, install: lock ? 'bun install --frozen-lockfile' : 'bun install', run: 'bun run', reason: `bun (${source})`, setup: `npm install -g --force bun@${version ?? 'latest'}` };
    default: {
      const locked = lock?.name === 'npm';
      return { name: 'npm', manifestFiles, install: locked ? 'npm ci' : 'npm install', run: 'npm run', reason: locked ? `npm ci (${lock!.file})` : `npm install (${source})` };
    }
  }
}
