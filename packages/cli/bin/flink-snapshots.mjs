#!/usr/bin/env node
// The command runs its TypeScript through tsx (as `npm start` does): nothing to build after `npm ci`.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../src/main.ts');
process.exitCode = await run(process.argv.slice(2));
