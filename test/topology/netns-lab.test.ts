// Namespace mode without root: the lab's ip commands, names and addresses against a recording
// host; teardown after a failed step; the role registry; the node side's spec check and JSON lines.
import { describe, expect, it } from 'vitest'
import { NetnsLab, netnsExample, netnsRole, parseNetnsNodeSpec, registerNetnsExample, registerNetnsRole, startNetnsNode } from '../../src/topology/index.js'
import type { NetnsCommandResult, NetnsHost } from '../../src/topology/index.js'
import { seededRandom } from '../../src/util/random.js'

function recordingHost(options: { unavailable?: string; failOn?: RegExp } = {}): NetnsHost & { calls: string[]; exitHooks: number } {
  const calls: string[] = []
  const ok: NetnsCommandResult = { code: 0, stdout: '', stderr: '' }
  const host = {
    calls,
    exitHooks: 0,
    unavailable: () => options.unavailable,
    ip: async (args: readonly string[]) => {
      calls.push(`ip ${args.join(' ')}`)
      return options.failOn?.test(args.join(' ')) ? { code: 2, stdout: '', stderr: 'RTNETLINK answers: File exists\n' } : ok
    },
    ipSync: (args: readonly string[]) => {
      calls.push(`sync ip ${args.join(' ')}`)
      return args[1] === 'pids' ? { code: 0, stdout: '4242\n', stderr: '' } : ok
    },
    spawnIn: () => {
      throw new Error('not used')
    },
    signal: (pid: number, signal: string) => {
      calls.push(`kill -${signal} ${pid}`)
      return true
    },
    onExit: () => {
      host.exitHooks++
      return () => void host.exitHooks--
    },
  }
  return host
}

describe('NetnsLab', () => {
  it('builds a bridge namespace and one namespace per host, each on a veth with its address, nonlocal bind on', async () => {
    const host = recordingHost()
    const lab = await NetnsLab.create({ hosts: ['a', 'client'], host, runId: 'r1', subnet: '10.30.40' })
    expect(lab.vip).toBe('10.30.40.100')
    expect(lab.namespaces).toEqual(['dnsha-r1-br', 'dnsha-r1-a', 'dnsha-r1-client'])
    expect(lab.hosts).toEqual([
      { name: 'a', namespace: 'dnsha-r1-a', interface: 'eth0', address: '10.30.40.1' },
      { name: 'client', namespace: 'dnsha-r1-client', interface: 'eth0', address: '10.30.40.2' },
    ])
    expect(host.calls).toEqual([
      'ip netns add dnsha-r1-br',
      'ip -n dnsha-r1-br link add br0 type bridge',
      'ip -n dnsha-r1-br link set br0 up',
      ...['a', 'client'].flatMap((h, i) => [
        `ip netns add dnsha-r1-${h}`,
        `ip link add eth0 netns dnsha-r1-${h} type veth peer name p-${h} netns dnsha-r1-br`,
        `ip -n dnsha-r1-br link set p-${h} master br0`,
        `ip -n dnsha-r1-br link set p-${h} up`,
        `ip -n dnsha-r1-${h} addr add 10.30.40.${i + 1}/24 dev eth0`,
        `ip -n dnsha-r1-${h} link set lo up`,
        `ip -n dnsha-r1-${h} link set eth0 up`,
        `ip netns exec dnsha-r1-${h} sysctl -qw net.ipv4.ip_nonlocal_bind=1`,
      ]),
    ])
    expect(host.exitHooks).toBe(1)
    host.calls.length = 0
    await lab.destroy()
    await lab.destroy()
    // What is left in each namespace is killed before the namespace goes; the exit hook is unhooked.
    expect(host.calls).toEqual(['dnsha-r1-a', 'dnsha-r1-client', 'dnsha-r1-br'].flatMap((ns) => [`sync ip netns pids ${ns}`, 'kill -SIGKILL 4242', `sync ip netns del ${ns}`]))
    expect(host.exitHooks).toBe(0)
  })

  it('a random run id and a 10.x.y subnet per run, so parallel runs do not collide', async () => {
    const one = await NetnsLab.create({ hosts: ['a'], host: recordingHost(), random: seededRandom(1) })
    const two = await NetnsLab.create({ hosts: ['a'], host: recordingHost(), random: seededRandom(2) })
    expect(one.runId).not.toBe(two.runId)
    expect(one.runId).toMatch(/^[0-9a-z]{6}$/)
    expect(one.subnet).toMatch(/^10\.\d+\.\d+$/)
    expect(one.subnet).not.toBe(two.subnet)
  })

  it("a host's own number replaces its position; a number out of range, the VIP's, taken twice or for no host is refused", async () => {
    const lab = await NetnsLab.create({ hosts: ['authority', 'internal', 'external'], numbers: { external: 200 }, host: recordingHost(), runId: 'r3', subnet: '10.30.42' })
    expect(lab.hosts.map((h) => h.address)).toEqual(['10.30.42.1', '10.30.42.2', '10.30.42.200'])
    for (const [numbers, message] of [
      [{ b: 0 }, /host b's number 0 must be a whole number in 1\.\.254 other than 100/],
      [{ b: 255 }, /number 255/],
      [{ b: 100 }, /number 100 .*the VIP/],
      [{ b: 1.5 }, /number 1\.5/],
      [{ b: 1 }, /hosts a and b would both be \.1/],
      [{ c: 7 }, /a number for "c", which is not a host/],
    ] as const) {
      const host = recordingHost()
      await expect(NetnsLab.create({ hosts: ['a', 'b'], numbers, host })).rejects.toMatchObject({ code: 'ERR_NETNS_CONFIG', message })
      expect(host.calls).toEqual([])
    }
  })

  it('a failed ip command: DnsHaError ERR_NETNS_SETUP naming it, and what was built is deleted', async () => {
    const host = recordingHost({ failOn: /^link add eth0 netns dnsha-r2-b / })
    await expect(NetnsLab.create({ hosts: ['a', 'b'], host, runId: 'r2', subnet: '10.30.41' })).rejects.toMatchObject({
      code: 'ERR_NETNS_SETUP',
      message: 'namespace mode: ip link add eth0 netns dnsha-r2-b type veth peer name p-b netns dnsha-r2-br: RTNETLINK answers: File exists',
    })
    expect(host.calls.filter((c) => c.startsWith('sync ip netns del'))).toEqual(['sync ip netns del dnsha-r2-a', 'sync ip netns del dnsha-r2-b', 'sync ip netns del dnsha-r2-br'])
    expect(host.exitHooks).toBe(0)
  })

  it('refuses without root or ip (ERR_NETNS_UNAVAILABLE), and bad host names (ERR_NETNS_CONFIG), before running anything', async () => {
    const host = recordingHost({ unavailable: 'not root' })
    await expect(NetnsLab.create({ hosts: ['a'], host })).rejects.toMatchObject({ code: 'ERR_NETNS_UNAVAILABLE', message: 'namespace mode: not root' })
    for (const hosts of [[], ['A'], ['br'], ['a', 'a'], ['a-very-long-name']]) {
      await expect(NetnsLab.create({ hosts, host: recordingHost() })).rejects.toMatchObject({ code: 'ERR_NETNS_CONFIG' })
    }
    expect(host.calls).toEqual([])
  })
})

describe('namespace roles and the node side', () => {
  it('knows the dnsmasq-nginx-keepalived example and its roles; refuses duplicates and unknown roles', () => {
    const example = netnsExample('dnsmasq-nginx-keepalived')!
    expect(example.hosts.map((h) => h.name)).toEqual(['a', 'b', 'upstream', 'client'])
    for (const h of example.hosts) if (h.role !== undefined) expect(netnsRole(h.role).name).toBe(h.role)
    expect(() => netnsRole('nope')).toThrow(/no role "nope"/)
    expect(() => registerNetnsRole(netnsRole('upstream-authority'))).toThrow(/exists/)
    expect(() => registerNetnsExample({ ...example, name: 'other', hosts: [{ name: 'x', role: 'missing' }] })).toThrow(/no role "missing"/)
    expect(netnsExample('other')).toBeUndefined()
  })

  it('knows the split-horizon example: authority and pool roles, two client namespaces, the external one at .200, no VIP', () => {
    const example = netnsExample('split-horizon')!
    expect(example.hosts).toEqual([
      { name: 'authority', role: 'split-horizon-authority' },
      { name: 'pool', role: 'split-horizon-pool' },
      { name: 'internal' },
      { name: 'external', number: 200 },
    ])
    for (const h of example.hosts) if (h.role !== undefined) expect(netnsRole(h.role).name).toBe(h.role)
    expect(example.vipHosts).toEqual([])
    expect(new Set(example.tryQueries.map((q) => q.from))).toEqual(new Set(['internal', 'external']))
    expect(new Set(example.tryQueries.map((q) => q.to))).toEqual(new Set(['authority', 'pool']))
  })

  it('knows the bind-lvs-keepalived example: primary, two secondaries, two directors moving the VIP (backup priority 90), a client', () => {
    const example = netnsExample('bind-lvs-keepalived')!
    expect(example.hosts.map((h) => [h.name, h.role])).toEqual([
      ['primary', 'bind-lvs-primary'],
      ['secondary1', 'bind-lvs-secondary'],
      ['secondary2', 'bind-lvs-secondary'],
      ['director1', 'bind-lvs-director'],
      ['director2', 'bind-lvs-director'],
      ['client', undefined],
    ])
    for (const h of example.hosts) if (h.role !== undefined) expect(netnsRole(h.role).name).toBe(h.role)
    expect(example.vipHosts).toEqual(['director1', 'director2'])
    expect(example.backupPriority).toBe(90)
  })

  it('parseNetnsNodeSpec names the missing or wrong field', () => {
    const good = { role: 'r', node: 'a', interface: 'eth0', address: '10.1.2.1', vip: '10.1.2.100', hosts: { a: '10.1.2.1' }, advertIntervalMs: 200 }
    expect(parseNetnsNodeSpec(JSON.stringify(good))).toEqual(good)
    expect(() => parseNetnsNodeSpec('{')).toThrow(/not JSON/)
    expect(() => parseNetnsNodeSpec('null')).toThrow(/not an object/)
    expect(() => parseNetnsNodeSpec(JSON.stringify({ ...good, vip: 3 }))).toThrow("netns-node: the spec's vip is missing or wrong")
    expect(() => parseNetnsNodeSpec(JSON.stringify({ ...good, advertIntervalMs: 0 }))).toThrow("the spec's advertIntervalMs")
    expect(() => parseNetnsNodeSpec(JSON.stringify({ ...good, hosts: null }))).toThrow("the spec's hosts")
  })

  it("startNetnsNode starts the role and prints its events and a ready line as JSON, on the clock's time", async () => {
    let closed = false
    registerNetnsRole({
      name: 'test-echo',
      summary: 'reports one VRRP change',
      async start(spec, emit) {
        emit({ type: 'vrrp', from: 'backup', to: 'master', reason: `for ${spec.node}` })
        return { describe: [`echo on ${spec.address}`], close: async () => void (closed = true) }
      },
    })
    const lines: string[] = []
    const clock = { now: () => 1234, setTimeout: () => ({}), clearTimeout: () => {}, setInterval: () => ({}), clearInterval: () => {} }
    const instance = await startNetnsNode({ role: 'test-echo', node: 'a', interface: 'eth0', address: '10.1.2.1', vip: '10.1.2.100', hosts: {}, advertIntervalMs: 200 }, (l) => lines.push(l), clock)
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { netns: 'vrrp', at: 1234, from: 'backup', to: 'master', reason: 'for a' },
      { netns: 'ready', at: 1234, describe: ['echo on 10.1.2.1'] },
    ])
    await instance.close()
    expect(closed).toBe(true)
  })
})
