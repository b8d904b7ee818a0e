/**
 * `node --import tsx bench/forwarder-cpu.ts [--queries N] [--rounds R]`: the CPU time (user +
 * system, `process.cpuUsage`) a `DnsServer` with a `Forwarder` spends per UDP query, with no
 * sockets: the server is bound on a network whose datagram socket hands each query straight to
 * the server's message callback and counts what it sends back. What it measures is the DNS logic
 * per query (the server's pipeline and the forwarder), which is what differs from dnsmasq; the
 * socket cost is the same for both and is measured by `npm run bench -- forwarder`.
 *
 * Two workloads, as `npm run bench -- forwarder` has: hosts answers (a name from 64 inline hosts
 * entries) and cache hits (64 names answered once by an in-process upstream, then from the
 * cache). Queries carry EDNS, RD and a fresh id each, as dnsperf's do.
 */
import dnsPacket from 'dns-packet'
import { Forwarder } from '../src/forwarder/index.js'
import type { Exchange } from '../src/pool/index.js'
import { DnsServer } from '../src/server/index.js'
import type { BoundAddress, DatagramSocket, Network, RemoteInfo, StreamServer } from '../src/util/network.js'

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}

const queries = option('--queries', 400_000)
const rounds = option('--rounds', 3)
const NAMES = 64

/** One datagram socket whose message handler the bench calls directly; sends are counted. */
class DirectSocket implements DatagramSocket {
  // As the batched engine: the message is a view into a reused receive buffer.
  readonly borrowsMessages = true
  handler: (msg: Buffer, rinfo: RemoteInfo) => void = () => {}
  sent = 0
  lastSent: Uint8Array | undefined
  private bound: BoundAddress = { address: '127.0.0.1', port: 0, family: 'IPv4' }
  bind(port: number, address: string): Promise<BoundAddress> {
    this.bound = { address, port: port === 0 ? 5300 : port, family: 'IPv4' }
    return Promise.resolve(this.bound)
  }
  onMessage(handler: (msg: Buffer, rinfo: RemoteInfo) => void): void {
    this.handler = handler
  }
  setReceiveBufferSize(): void {}
  onError(): void {}
  connect(): Promise<void> {
    return Promise.resolve()
  }
  send(msg: Uint8Array): void {
    this.sent++
    this.lastSent = msg
  }
  address(): BoundAddress {
    return this.bound
  }
  close(): Promise<void> {
    return Promise.resolve()
  }
}

function directNetwork(): { network: Network; sockets: DirectSocket[] } {
  const sockets: DirectSocket[] = []
  const network: Network = {
    createDatagramSocket: () => {
      const s = new DirectSocket()
      sockets.push(s)
      return s
    },
    createStreamServer: (): StreamServer => {
      let bound: BoundAddress = { address: '127.0.0.1', port: 0, family: 'IPv4' }
      return {
        listen: (port, address) => Promise.resolve((bound = { address, port, family: 'IPv4' })),
        address: () => bound,
        close: () => Promise.resolve(),
      }
    },
    connectStream: () => Promise.reject(new Error('no streams here')),
  }
  return { network, sockets }
}

/** An upstream answering every A question with one address, TTL 3600, straight from memory. */
const exchange: Exchange = (_server, message) => {
  const q = dnsPacket.decode(Buffer.from(message))
  const question = q.questions![0]!
  const answer = dnsPacket.encode({
    id: q.id,
    type: 'response',
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions: [question],
    answers: [{ name: question.name, type: 'A', ttl: 3600, data: '192.0.2.7' }],
  })
  return Promise.resolve({ raw: new Uint8Array(answer), rttMs: 1, transport: 'udp' })
}

function queryBytes(name: string): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: 1,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: 'A' }],
    additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 4096 } as never],
  })
}

async function setup(): Promise<{ server: DnsServer; socket: DirectSocket; forwarder: Forwarder }> {
  const hosts = Array.from({ length: NAMES }, (_, i) => `10.0.0.${i + 1} host${i}.lan`).join('\n')
  const forwarder = new Forwarder({ hosts, servers: [{ address: '192.0.2.53' }], exchange, cacheSize: 1000, watch: false })
  const { network, sockets } = directNetwork()
  const server = new DnsServer({ handler: forwarder, network })
  await server.listen({ port: 5300, address: '127.0.0.1' })
  return { server, socket: sockets[0]!, forwarder }
}

const rinfo: RemoteInfo = { address: '127.0.0.1', port: 40000, family: 'IPv4' }

function run(socket: DirectSocket, messages: Buffer[], n: number): number {
  const before = socket.sent
  const start = process.cpuUsage()
  for (let i = 0; i < n; i++) {
    const msg = messages[i % messages.length]!
    msg[0] = (i >> 8) & 0xff
    msg[1] = i & 0xff
    socket.handler(msg, rinfo)
  }
  const cpu = process.cpuUsage(start)
  if (socket.sent - before !== n) throw new Error(`expected ${n} answers synchronously, got ${socket.sent - before}`)
  return (cpu.user + cpu.system) / n
}

const { server, socket, forwarder } = await setup()
const hostsQueries = Array.from({ length: NAMES }, (_, i) => queryBytes(`host${i}.lan`))
const cacheQueries = Array.from({ length: NAMES }, (_, i) => queryBytes(`name${i}.example.com`))
// Fill the cache: the first answers come from the upstream (asynchronously).
for (const msg of cacheQueries) socket.handler(msg, rinfo)
await new Promise((resolve) => setTimeout(resolve, 50))
const answers = forwarder.snapshot().answers
if (answers.upstream !== NAMES) throw new Error(`expected ${NAMES} upstream answers, got ${answers.upstream}`)

const results: Record<string, number[]> = { hosts: [], cache: [] }
run(socket, hostsQueries, 50_000) // warm up
run(socket, cacheQueries, 50_000)
for (let r = 0; r < rounds; r++) {
  results.hosts!.push(run(socket, hostsQueries, queries))
  results.cache!.push(run(socket, cacheQueries, queries))
}
const best = (xs: number[]): string => Math.min(...xs).toFixed(2)
const all = (xs: number[]): string => xs.map((x) => x.toFixed(2)).join(' ')
console.log(`forwarder CPU per query (${queries} queries x ${rounds} rounds, best / all, us): hosts ${best(results.hosts!)} / ${all(results.hosts!)}; cache ${best(results.cache!)} / ${all(results.cache!)}`)
const s = forwarder.snapshot().answers
console.log(`answers: hosts ${s.hosts}, cache ${s.cache}, upstream ${s.upstream}`)
await server.close()
await forwarder.close()
