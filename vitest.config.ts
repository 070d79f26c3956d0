import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Two projects, one run: `vitest run` (and so `npm test`) runs both. The e2e project starts real
// servers, clients and a browser, and bounds how long they may take: it runs one file at a time,
// after the unit project, so that its timings are not those of a machine running everything else.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/support/check-engines.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'test/ui/**'],
          // One file per core, not Vitest's cores − 1: these files wait on PostgreSQL and on
          // SQLite's writer as much as they compute, and on two cores the default runs them one by one.
          // At most four: each file holds pools of PostgreSQL connections, and the server's
          // default allows 100 in all.
          maxWorkers: Math.min(4, availableParallelism()),
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts', 'test/ui/**/*.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
