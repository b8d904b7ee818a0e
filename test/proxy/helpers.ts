// Shared helpers for the proxy's unit tests: fake members and a client on a MemoryNetwork.
import dnsPacket from 'dns-packet'
import type { DatagramSocket, RemoteInfo } from '../../src/util/network.js'
import { FakeClock, flush } from '../../src/testing/fake-clock.js'
import { MemoryNetwork } from '../../src/testing/memory-network.js'
import { seededRandom } from '../../src/util/random.js'
import type { UdpProxyPoolOptions } from '../../src/proxy/options.js'
import { UdpProxyPool } from '../../src/proxy/udp-proxy-pool.js'
import type { HealthChange, HealthSource, HealthState } from '../../src/pool/tracking.js'

/** A query's wire form. */
export function queryBytes(name: string, id = 0x1234, type = 'A'): Buffer {
  return dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as 'A', class: 'IN' }] })
}

/** A member made of one raw socket: answers every query (QR set, one A record naming it) unless silenced or holding. */
export class FakeMember {
  readonly received: { msg: Buffer; from: RemoteInfo }[] = []
  mode: 'answer' | 'silent' | 'hold' = 'answer'
  private held: { msg: Buffer; from: RemoteInfo }[] = []

  constructor(
    readonly socket: DatagramSocket,
    readonly address: string,
  ) {
    socket.onMessage((msg, from) => {
      this.received.push({ msg, from })
      if (this.mode === 'answer') this.reply(msg, from)
      else if (this.mode === 'hold') this.held.push({ msg, from })
    })
  }

  /** The answer the member gives to `msg`. */
  answerTo(msg: Buffer): Buffer {
    const q = dnsPacket.decode(msg)
    return dnsPacket.encode({
      type: 'response',
      id: q.id,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
      questions: q.questions,
      answers: [{ name: q.questions![0]!.name, type: 'A', class: 'IN', ttl: 60, data: this.address }],
    })
  }

  reply(msg: Buffer, from: RemoteInfo): void {
    this.socket.send(this.answerTo(msg), from.port, from.address)
  }

  /** Answers everything held so far. */
  release(): void {
    for (const h of this.held.splice(0)) this.reply(h.msg, h.from)
  }

  close(): Promise<void> {
    return this.socket.close()
  }
}

/** A decoded reply (dns-packet's decode, with the rcode it reports). */
export type Reply = ReturnType<typeof dnsPacket.decode> & { rcode?: string }

export interface Rig {
  clock: FakeClock
  network: MemoryNetwork
  pool: UdpProxyPool
  members: FakeMember[]
  port: number
  client: DatagramSocket
  /** Replies the client got, decoded. */
  replies: Reply[]
  raw: Buffer[]
  ask(name: string, id?: number, type?: string): void
  settle(): Promise<void>
}

/** A pool on 10.0.0.1:53 in front of fake members at 10.0.1.N:53 (one per entry of `members`), and a client at 10.0.2.1. */
export async function rig(members: Partial<UdpProxyPoolOptions['members'][number]>[], options: Partial<UdpProxyPoolOptions> = {}): Promise<Rig> {
  const clock = new FakeClock()
  const network = new MemoryNetwork({ clock })
  const fakes: FakeMember[] = []
  for (let i = 0; i < members.length; i++) {
    const address = `10.0.1.${i + 1}`
    const socket = network.createDatagramSocket(4)
    await socket.bind(53, address)
    fakes.push(new FakeMember(socket, address))
  }
  const pool = new UdpProxyPool({
    members: members.map((m, i) => ({ address: `10.0.1.${i + 1}`, ...m })),
    clock,
    network,
    random: seededRandom(42),
    ...options,
  })
  const { port } = await pool.listen({ port: 53, address: '10.0.0.1' })
  const client = network.createDatagramSocket(4)
  await client.bind(5353, '10.0.2.1')
  const replies: Reply[] = []
  const raw: Buffer[] = []
  client.onMessage((msg) => {
    raw.push(msg)
    replies.push(dnsPacket.decode(msg) as Reply)
  })
  const settle = async () => {
    for (let i = 0; i < 4; i++) await flush()
  }
  return {
    clock,
    network,
    pool,
    members: fakes,
    port,
    client,
    replies,
    raw,
    ask: (name, id = 0x1234, type = 'A') => client.send(queryBytes(name, id, type), port, '10.0.0.1'),
    settle,
  }
}

/** The A record data of a reply (which member answered). */
export function answeredBy(reply: Reply): string | undefined {
  return (reply.answers?.[0] as { data?: unknown } | undefined)?.data as string | undefined
}

/** A `HealthSource` the test drives by hand: `say(state)` reports `target` up or down to every watcher. */
export function manualSource(target = '10.0.1.1#53', reason = 'x'): { source: HealthSource; say: (state: HealthState) => void } {
  const listeners = new Set<(c: HealthChange) => void>()
  const source: HealthSource = {
    watch: (l) => {
      listeners.add(l)
      return () => listeners.delete(l)
    },
    state: () => undefined,
  }
  return { source, say: (state) => listeners.forEach((l) => l({ target, state, reason })) }
}
