#!/usr/bin/env node
// The command runs its TypeScript through tsx (as `npm start` does): nothing to build after `npm ci`.
import { register } from 'tsx/esm/api';

// The SDK warns on every start that its 2027 releases will need Node 22; the project supports Node
// 20.19 (package.json engines), and an operator's terminal is not where to say so every time.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  const text = warning instanceof Error ? `${warning.name} ${warning.message}` : String(warning);
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  if (type === 'NodeVersionSupportWarning' || text.includes('NodeVersionSupportWarning')) return;
  emitWarning(warning, ...rest);
};

register();
const { run } = await import('../src/main.ts');
process.exitCode = await run(process.argv.slice(2));
