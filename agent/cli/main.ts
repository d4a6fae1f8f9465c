import { parseArgs } from 'node:util';
import { NexusError, describeError } from '../errors/index.ts';
import { loadAgentConfig } from '../config/index.ts';
import * as agent from './agent.ts';
import * as validate from './validate.ts';
import * as status from './status.ts';
import * as planCommand from './plan.ts';
import * as history from './history.ts';
import * as logs from './logs.ts';
import * as detect from './detect.ts';
import * as rollback from './rollback.ts';
import * as secret from './secret.ts';
import * as secretSet from './secret-set.ts';
import * as db from './db.ts';
import * as generate from './generate.ts';
import * as sync from './sync.ts';

const USAGE = `usage: nexus <command> [options]

  ${agent.usage}
  ${validate.usage}
  ${status.usage}
  ${planCommand.usage}
  ${history.usage}
  ${logs.usage}
  ${detect.usage}
  ${rollback.usage}
  ${secret.usage}
  ${secretSet.usage}
  ${db.usage}
  ${generate.usage}
  ${sync.usage}
`;

/** Each command's own usage, for `nexus <command> --help` and for a mistyped option. */
const COMMAND_USAGE: Record<string, string> = {
  agent: agent.usage, validate: validate.usage, status: status.usage, plan: planCommand.usage, history: history.usage,
  logs: logs.usage, detect: detect.usage, rollback: rollback.usage, secret: `${secret.usage}\n  ${secretSet.usage}`,
  db: db.usage, generate: generate.usage, sync: sync.usage,
};

/** Parses argv and runs one subcommand; returns the process exit code. */
export async function main(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const [command, ...rest] = argv;
  const ownUsage = command === undefined ? undefined : COMMAND_USAGE[command];
  if (ownUsage && (rest.includes('--help') || rest.includes('-h'))) {
    out.write(`usage:\n  ${ownUsage}\n`);
    return 0;
  }
  let parsed;
  try {
    parsed = parseOptions(rest);
  } catch (error) {
    err.write(`nexus ${command ?? ''}: ${(error as Error).message}\n${ownUsage ? `usage:\n  ${ownUsage}\n` : USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  return run(command, values, positionals);
}

function parseOptions(rest: string[]) {
  return parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' }, json: { type: 'boolean', default: false }, to: { type: 'string' }, recipient: { type: 'string' }, 'data-dir': { type: 'string' }, yes: { type: 'boolean', default: false },
      build: { type: 'boolean', default: false }, follow: { type: 'boolean', short: 'f', default: false }, dockerfile: { type: 'boolean', default: false }, port: { type: 'string' },
      app: { type: 'string' }, repo: { type: 'string' }, provider: { type: 'string' }, model: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, wait: { type: 'boolean', default: false },
    },
  });
}

async function run(command: string | undefined, values: ReturnType<typeof parseOptions>['values'], positionals: string[]): Promise<number> {
  const config = values.config ?? process.env.NEXUS_CONFIG ?? 'nexus-agent.yaml';
  switch (command) {
    case 'agent':
      return agent.runAgent({ config });
    case 'validate':
      return validate.runValidate(positionals);
    case 'status':
      return status.runStatus({ config, json: values.json ?? false });
    case 'plan':
      return planCommand.runPlan({ config, json: values.json ?? false });
    case 'history':
      return history.runHistory({ config, app: positionals[0], json: values.json ?? false });
    case 'logs':
      return logs.runLogs({ config, app: positionals[0], deployment: positionals[1], build: values.build ?? false, follow: values.follow ?? false });
    case 'detect':
      // Needs no agent: the config is read only when named, for its base images.
      return detect.runDetect({ dir: positionals[0], json: values.json ?? false, dockerfile: values.dockerfile ?? false, port: values.port, config: values.config ?? process.env.NEXUS_CONFIG });
    case 'secret': {
      const [verb, ...args] = positionals;
      if (verb === 'encrypt') {
        const dataDir = values['data-dir'] ?? (values.recipient ? undefined : await dataDirOf(config));
        return secret.runSecretEncrypt({ key: args[0] ?? '', value: await secretSet.readStdin(), recipient: values.recipient, dataDir });
      }
      if (verb === 'set') return secretSet.runSecretSet({ config, app: args[0], name: args[1], value: await secretSet.readStdin() });
      process.stderr.write(`usage:\n  ${secret.usage}\n  ${secretSet.usage}\n`);
      return 2;
    }
    case 'sync':
      return sync.runSync({ config, repo: positionals[0], wait: values.wait ?? false, json: values.json ?? false });
    case 'generate':
      return generate.runGenerate({
        config, prompt: positionals.join(' ') || undefined, app: values.app, repo: values.repo, provider: values.provider, model: values.model,
        dryRun: values['dry-run'] ?? false, json: values.json ?? false,
      });
    case 'db':
      return db.runDb({ config, verb: positionals[0], app: positionals[1], yes: values.yes ?? false });
    case 'rollback':
      return rollback.runRollback({ config, app: positionals[0], to: values.to, json: values.json ?? false });
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

/** The data folder of the agent config, if it can be read (for `secret encrypt` on the agent host). */
async function dataDirOf(config: string): Promise<string | undefined> {
  return loadAgentConfig(config).then((loaded) => loaded.dataDir, () => undefined);
}

/** Runs the CLI and exits the process with its code; errors print as one line with their code. */
export function runCli(argv: string[]): void {
  main(argv).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const code = error instanceof NexusError ? ` [${error.code}]` : '';
      process.stderr.write(`nexus: ${describeError(error)}${code}\n`);
      process.exit(1);
    },
  );
}

// `node --import tsx agent/cli/main.ts ...` (npm run nexus) runs it directly.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) runCli(process.argv.slice(2));
