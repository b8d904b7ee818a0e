// Import rules for src/, checked by `npm run lint` (dependency-cruiser). The layering, from the
// bottom: util -> packet -> zone, tsig -> server -> client, authority, pool -> forwarder (and the
// HA modules: health, proxy, vrrp (which needs only util); transfer and records to come).
// Each rule says why it exists; a violation names the rule and the import.

/** Modules below `from` in the layering: what a module may import besides itself. */
const layers = {
  util: [],
  packet: ['util'],
  zone: ['util', 'packet'],
  tsig: ['util', 'packet'],
  server: ['util', 'packet', 'tsig'],
  client: ['util', 'packet', 'tsig'],
  transfer: ['util', 'packet', 'zone', 'tsig', 'server', 'client'],
  authority: ['util', 'packet', 'zone', 'tsig', 'server', 'transfer'],
  records: ['util', 'packet', 'zone', 'tsig', 'server', 'client', 'authority', 'transfer'],
  pool: ['util', 'packet', 'server', 'client'],
  forwarder: ['util', 'packet', 'zone', 'server', 'client', 'pool'],
  health: ['util', 'packet', 'server', 'client'],
  proxy: ['util', 'packet', 'server', 'client', 'pool', 'health', 'vrrp'], // health and vrrp: keepalived-pool.ts maps LVS virtual_servers
  vrrp: ['util'],
  // Prometheus metrics read every serving module's snapshot; nothing below imports them.
  metrics: ['util', 'packet', 'zone', 'tsig', 'server', 'client', 'transfer', 'authority', 'pool', 'forwarder', 'health', 'proxy', 'vrrp', 'records'],
  // The seed topologies assemble the modules; the `dns-ha` command runs them. Neither uses the testing kit.
  topology: ['util', 'packet', 'zone', 'tsig', 'server', 'client', 'transfer', 'authority', 'pool', 'forwarder', 'health', 'proxy', 'vrrp', 'records', 'metrics'],
  cli: ['util', 'packet', 'zone', 'tsig', 'server', 'client', 'transfer', 'authority', 'pool', 'forwarder', 'health', 'proxy', 'vrrp', 'records', 'topology', 'metrics'],
}

const layerRules = Object.entries(layers).map(([module, allowed]) => ({
  name: `layer-${module}`,
  comment: `src/${module} may import only ${allowed.length ? allowed.join(', ') : 'nothing else in src'} (dependencies point one way)`,
  severity: 'error',
  from: { path: `^src/${module}/` },
  to: {
    path: '^src/',
    pathNot: [`^src/${module}/`, ...allowed.map((m) => `^src/${m}/`)],
  },
}))

// Files that may touch Node's runtime directly. Everything else reaches sockets, files, time,
// randomness and processes through these seams, so tests and simulations can swap them.
const nodeSeams = [
  '^src/util/network\\.ts$', // sockets (dgram, net, dns lookup)
  '^src/util/batched-network\\.ts$', // the batched datagram engine (node:module's createRequire loads the optional koffi)
  '^src/util/clock\\.ts$', // timers
  '^src/util/durable-file\\.ts$', // crash-safe file replacement (temp, fsync, rename, directory fsync) for state files and snapshots
  '^src/util/random\\.ts$', // CSPRNG
  '^src/util/cidr\\.ts$', // the address-literal parser (node:net isIP)
  '^src/tsig/mac\\.ts$', // HMAC (node:crypto)
  '^src/zone/node-files\\.ts$', // zone files from disk
  '^src/transfer/node-files\\.ts$', // a secondary's state files (temp file, fsync, rename)
  '^src/records/node-files\\.ts$', // the zone store's snapshots (temp file, fsync, rename) and journals (append, fsync)
  '^src/forwarder/file-source\\.ts$', // hosts, resolv.conf, dnsmasq.conf from disk
  '^src/metrics/node-http\\.ts$', // the /metrics listener (node:http)
  '^src/authority/cluster\\.ts$', // worker processes (node:cluster)
  '^src/health/node-process\\.ts$', // script checks (node:child_process)
  '^src/vrrp/node-host\\.ts$', // raw IP protocol 112 and AF_PACKET sockets (node:module loads the optional koffi), the interface table (node:fs /sys, node:os), ip and notify scripts (node:child_process)
  '^src/vrrp/node-files\\.ts$', // keepalived.conf and its includes from disk
  '^src/topology/netns/node-host\\.ts$', // namespace mode: ip (iproute2) builds the namespaces, node processes under ip netns exec, the exit hook (node:child_process, node:readline)
  '^src/cli/', // the dns-ha command: argv, signals, stdout, config files
  '^src/testing/', // the testing kit binds real ports to find free ones
]

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle makes load order matter and hides which module owns what.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-testing-in-src',
      comment: 'The testing kit is for users and tests; no library code depends on it (the package root, src/index.ts, re-exports it as it does every public module).',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/testing/', '^src/index\\.ts$'] },
      to: { path: '^src/testing/' },
    },
    {
      name: 'tsig-not-zone',
      comment: 'TSIG works on wire names from packet; it must not pull in the zone parser.',
      severity: 'error',
      from: { path: '^src/tsig/' },
      to: { path: '^src/zone/' },
    },
    {
      name: 'client-not-server',
      comment: 'The stub resolver must not depend on the server (a client app should not load it).',
      severity: 'error',
      from: { path: '^src/client/' },
      to: { path: '^src/server/' },
    },
    {
      name: 'node-only-in-seams',
      comment: 'node:* modules only in the named seam files (network, clock, random, files, processes).',
      severity: 'error',
      from: { path: '^src/', pathNot: nodeSeams },
      to: { dependencyTypes: ['core'] },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
}
