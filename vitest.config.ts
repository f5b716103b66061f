import { defineConfig } from 'vitest/config';

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
      { test: { name: 'local', include: ['packages/local/test/**/*.test.ts'], testTimeout: 30_000 } },
      { test: { name: 'functions', include: ['packages/functions/test/**/*.test.ts'], testTimeout: 30_000 } },
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
