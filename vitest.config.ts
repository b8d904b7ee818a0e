import { defineConfig } from 'vitest/config'

// Tests that measure failover under a paced load (lost queries, detection and recovery times)
// judge timing: they run as their own group, one file at a time, after every other test, so a
// busy neighbour on the 2-core machine cannot starve them. Everything else runs two files at once.
const underLoad = ['test/proxy/udp-proxy-pool-loopback.test.ts', 'test/health/chain-loopback.test.ts', 'test/vrrp/udp-transport.test.ts', 'test/vrrp/namespace.test.ts', 'test/vrrp/namespace-capture.test.ts', 'test/topology/netns.test.ts']

const shared = {
  testTimeout: 30_000,
  hookTimeout: 60_000,
}

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'main',
          include: ['test/**/*.test.ts'],
          exclude: underLoad,
          // Interop tests start real daemons; keep the 2-core machine from being oversubscribed.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'under-load',
          include: underLoad,
          maxWorkers: 1,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
