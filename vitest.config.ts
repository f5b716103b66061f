import { defineConfig } from 'vitest/config';

const ADAPTERS_ON_MOTO = [
  'sqs-work-queue',
  'sns-alerts',
  'ssm-config-source',
  'role-credentials',
  'dynamo-run-store',
  'aws-errors',
].map((name) => `packages/core/test/adapters/${name}.int.test.ts`);

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'core',
          include: [
            'packages/settings/test/**/*.test.ts',
            'packages/core/test/domain/**/*.test.ts',
            'packages/core/test/use-cases/**/*.test.ts',
          ],
        },
      },
      {
        test: {
          name: 'adapters',
          include: ['packages/core/test/adapters/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        // The same adapter tests against moto, an emulator none of us wrote (MSF stays local: moto has no
        // snapshots). Tests needing the local AWS's control plane are skipped there (localOnly).
        test: {
          name: 'adapters-moto',
          include: ADAPTERS_ON_MOTO,
          env: { FLINK_SNAPSHOTS_TEST_TARGET: 'moto' },
          testTimeout: 30_000,
          hookTimeout: 90_000,
        },
      },
      { test: { name: 'local', include: ['packages/local/test/**/*.test.ts'], testTimeout: 30_000 } },
      { test: { name: 'functions', include: ['packages/functions/test/**/*.test.ts'], testTimeout: 30_000 } },
      { test: { name: 'cli', include: ['packages/cli/test/**/*.test.ts'] } },
      {
        // Clients and an emulator none of us wrote: boto3 and Debian's AWS CLI against the local AWS.
        test: {
          name: 'referees',
          include: ['test/referees/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 60_000 },
      },
      {
        test: {
          name: 'stacks',
          include: ['test/stacks/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
    coverage: {
      provider: 'v8',
      include: ['packages/core/src/domain/**/*.ts'],
      reporter: ['text', 'json-summary'],
      thresholds: { lines: 100, branches: 100, functions: 100, statements: 100 },
    },
  },
});
