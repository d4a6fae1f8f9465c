#!/usr/bin/env node
// The installed `nexus` command: loads the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';
register();
const { runCli } = await import('./main.ts');
runCli(process.argv.slice(2));
