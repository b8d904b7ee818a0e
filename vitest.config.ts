import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Interop tests start real daemons; keep the 2-core machine from being oversubscribed.
    maxWorkers: 2,
  },
})
