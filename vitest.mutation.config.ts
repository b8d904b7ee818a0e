// The test set StrykerJS runs against each mutant (stryker.config.mjs). It leaves out:
// - test/interop: starts real daemons (named, nsd, knotd, dnsmasq) on fixed free ports and waits
//   for them; under mutation hundreds of restarts make runs slow and flaky, and a mutant that
//   breaks startup would leave a daemon behind.
// - test/package: builds and packs the package (tsup, npm pack, tsc) — minutes per run, and it
//   tests the build, not the mutated logic.
// - test/integration/authority-cluster.test.ts: forks worker processes.
// - test/proxy/udp-proxy-pool-loopback.test.ts: spawns member processes and asserts exact counts of
//   5 s of 2,000 qps over loopback; on a loaded machine it loses queries and fails the dry run
//   (every mutant of src/server reaches it). Its mutants belong to the proxy, whose unit tests run.
// - the root-only namespace tests (test/topology/netns*, test/cli/netns, test/vrrp/namespace*): they
//   create network namespaces and start node processes in them; under load a node misses its 30 s
//   start bound and fails the dry run, and a mutant that breaks start-up would leave namespaces
//   behind. The in-memory and loopback tests of the same topologies run.
// - test/vrrp/node-host.test.ts: runs a fixture as the unprivileged user, who cannot read Stryker's
//   sandbox under .stryker-tmp.
// Everything else runs on FakeClock/MemoryNetwork or binds 127.0.0.1 port 0, which is safe to run
// once per mutant.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/interop/**', 'test/package/**', 'test/integration/authority-cluster.test.ts', 'test/proxy/udp-proxy-pool-loopback.test.ts', 'test/topology/netns*.test.ts', 'test/cli/netns.test.ts', 'test/vrrp/namespace*.test.ts', 'test/vrrp/node-host.test.ts', '**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
