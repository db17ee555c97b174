import os from 'node:os';
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Two projects: "node" runs main-process logic, integration tests against the sandbox over real HTTP,
// and CLI tests; "renderer" runs React components against the in-memory fake transport in jsdom.
export default defineConfig({
  test: {
    // Vitest's default is one worker per core less one: on this project's 2-core machines (and CI) that ran every file
    // one after another. Most files wait on sockets and child processes, so two workers use both cores: the suite
    // went from 760–870 s to ~500 s with the same results.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins: [react()],
        test: {
          name: 'renderer',
          environment: 'jsdom',
          include: ['test/renderer/**/*.test.tsx', 'test/renderer/**/*.test.ts'],
          setupFiles: ['test/renderer/setup.ts'],
          testTimeout: 30_000,
        },
      },
    ],
  },
});
