/**
 * `npm run synth [-- <stage> …]`: the CloudFormation templates of each stage (default: dev and prod),
 * written to `.sst/dist/<stage>/`, with no AWS account. `sst build` asks STS who the caller is before it
 * synthesizes, so the local AWS answers GetCallerIdentity on loopback, with throwaway credentials;
 * NODE_ENV=test makes SST skip its bootstrap lookups. Without credentials `sst build` can exit 0 having
 * built nothing, so this checks that every stack's template was written, and fails loudly if not.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalAws } from '@flink-snapshots/local';
import { APP_NAME } from '@flink-snapshots/settings';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STACKS = ['Storage', 'Pipeline'] as const;
const DEFAULT_STAGES = ['dev', 'prod'];
const BUILD_TIMEOUT_MS = 5 * 60_000;

/** Variables that could make the build reach a real account, or pick credentials other than ours. */
const CREDENTIAL_VARIABLES = [
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
];

async function main(): Promise<void> {
  const stages = process.argv.slice(2).filter((arg) => arg !== '--');
  for (const stage of stages) {
    if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(stage)) {
      throw new Error(
        `Stage ${JSON.stringify(stage)} is not a valid SST stage name; expected a letter, then letters, digits or hyphens`,
      );
    }
  }
  const local = await startLocalAws({ port: 0 });
  try {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of CREDENTIAL_VARIABLES) delete env[name];
    Object.assign(env, {
      NODE_ENV: 'test',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: local.region,
      AWS_DEFAULT_REGION: local.region,
      AWS_ENDPOINT_URL: local.url,
      AWS_ENDPOINT_URL_STS: local.url,
      // No shared config or credentials file: nothing but the variables above.
      AWS_CONFIG_FILE: path.join(ROOT, '.sst', 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(ROOT, '.sst', 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      SST_TELEMETRY_DISABLED: '1',
    });
    for (const stage of stages.length > 0 ? stages : DEFAULT_STAGES) {
      await synthesize(stage, env);
    }
  } finally {
    await local.stop();
  }
}

async function synthesize(stage: string, env: NodeJS.ProcessEnv): Promise<void> {
  const out = path.join(ROOT, '.sst', 'dist', stage);
  // A stale template must not pass for a fresh one.
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const cli = fileURLToPath(import.meta.resolve('sst/cli/sst.js'));
  const code = await run(process.execPath, [cli, 'build', '--stage', stage, '--to', out], env);
  if (code !== 0)
    throw new Error(`sst build --stage ${stage} exited with ${code}; expected 0 (its output is above)`);

  const written = new Set(await readdir(out));
  const expected = STACKS.map((name) => `${stage}-${APP_NAME}-${name}.template.json`);
  const missing = expected.filter((file) => !written.has(file));
  if (missing.length > 0) {
    const found = [...written].filter((file) => file.endsWith('.template.json'));
    throw new Error(
      `sst build --stage ${stage} wrote no template for ${missing.join(', ')} in ${path.relative(ROOT, out)} ` +
        `(found: ${found.length > 0 ? found.join(', ') : 'none'}); expected one template per stack: ${expected.join(', ')}`,
    );
  }
  console.log(`\nTemplates of stage ${stage}:`);
  for (const file of expected) {
    const { size } = await stat(path.join(out, file));
    console.log(`  ${path.relative(process.cwd(), path.join(out, file))} (${(size / 1024).toFixed(1)} KiB)`);
  }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: 'inherit', timeout: BUILD_TIMEOUT_MS });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== null)
        reject(
          new Error(
            `${args.slice(1, 4).join(' ')} was killed by ${signal} (timeout ${BUILD_TIMEOUT_MS} ms?)`,
          ),
        );
      else resolve(code ?? 1);
    });
  });
}

main().catch((error: unknown) => {
  console.error(`\nnpm run synth FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
