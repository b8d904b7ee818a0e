// Shared helpers for forwarder tests: asking a handler directly, upstreams on a MemoryNetwork,
// and an in-memory file seam.
import dnsPacket from 'dns-packet'
import type { Answer, Packet } from 'dns-packet'
import type { FileSource } from '../../src/forwarder/file-source.js'
import { DnsServer } from '../../src/server/dns-server.js'
import type { HandlerLike } from '../../src/server/handler.js'
import { DROP } from '../../src/server/handler.js'
import { DnsQuery } from '../../src/server/query.js'
import type { ClientInfo } from '../../src/server/query.js'
import type { MemoryNetwork } from '../../src/testing/memory-network.js'
import type { RemoteInfo } from '../../src/util/network.js'

export type Decoded = ReturnType<typeof dnsPacket.decode> & { rcode?: string }

export interface AskOptions {
  client?: Partial<ClientInfo>
  edns?: boolean
  dnssecOk?: boolean
  id?: number
  rd?: boolean
}

/** Builds the query for `name`/`type` as a server would hand it to a handler. */
export function makeQuery(name: string, type: string, options: AskOptions = {}): DnsQuery {
  const additionals = options.edns === false ? [] : [{ name: '.', type: 'OPT', udpPayloadSize: 1232, flags: options.dnssecOk ? dnsPacket.DNSSEC_OK : 0 } as never]
  return DnsQuery.from(
    { id: options.id ?? 777, flags: options.rd === false ? 0 : dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as never }], additionals },
    { client: options.client ?? {} },
  )
}

/** Calls `handler.handle` and decodes its answer (bytes, with the id patched as the server would). */
export async function ask(handler: { handle(query: DnsQuery, next: () => undefined): unknown }, name: string, type = 'A', options: AskOptions = {}): Promise<Decoded> {
  const query = makeQuery(name, type, options)
  const result = await handler.handle(query, () => undefined)
  if (!(result instanceof Uint8Array)) throw new Error(`expected bytes, got ${String(result)}`)
  const bytes = Buffer.from(result)
  bytes.writeUInt16BE(query.id, 0)
  return dnsPacket.decode(bytes) as Decoded
}

/** The answer datas of a decoded response, as strings. */
export function datas(r: Decoded): string[] {
  return (r.answers ?? []).map((a) => String((a as { data: unknown }).data))
}

/** The TTLs of the answer records. */
export function ttls(r: Decoded): number[] {
  return (r.answers ?? []).map((a) => (a as { ttl: number }).ttl)
}

/** A DnsServer answering with `handler` at `address`:`port` on the memory network. */
export async function upstream(network: MemoryNetwork, address: string, handler: HandlerLike, port = 53): Promise<DnsServer> {
  const server = new DnsServer({ handler, network })
  await server.listen({ port, address })
  return server
}

/** A handler that answers every A question with `address` (TTL `ttl`), counting calls. */
export function answering(address: string, ttl = 300): { calls: number; handle(query: DnsQuery): Packet } {
  const h = {
    calls: 0,
    handle(query: DnsQuery) {
      h.calls++
      const q = query.question!
      const answers: Answer[] = q.type === 'A' ? [{ name: q.name, type: 'A', ttl, data: address }] : []
      return {
        id: query.id,
        type: 'response',
        flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
        questions: [{ name: q.name, type: q.type as never, class: 'IN' }],
        answers,
      } as Packet
    },
  }
  return h
}

/** A handler that never answers. */
export const silent: HandlerLike = () => DROP

/** A raw UDP endpoint that replies with whatever `reply` makes of each query (bytes and, optionally, another source port). */
export async function rawUpstream(
  network: MemoryNetwork,
  address: string,
  reply: (msg: Buffer, rinfo: RemoteInfo) => { bytes: Uint8Array; fromPort?: number }[],
  port = 53,
): Promise<{ close(): Promise<void>; received: number }> {
  const socket = network.createDatagramSocket(4)
  await socket.bind(port, address)
  const state = { received: 0, close: () => socket.close() }
  socket.onMessage((msg, rinfo) => {
    state.received++
    for (const r of reply(msg, rinfo)) {
      if (r.fromPort === undefined) socket.send(r.bytes, rinfo.port, rinfo.address)
      else {
        const other = network.createDatagramSocket(4)
        void other.bind(r.fromPort, address).then(() => {
          other.send(r.bytes, rinfo.port, rinfo.address)
          void other.close()
        })
      }
    }
  })
  return state
}

/** The correct A answer to a raw query, built with dns-packet. */
export function answerTo(msg: Buffer, data = '192.0.2.99', overrides: Partial<Packet> = {}): Buffer {
  const q = dnsPacket.decode(msg)
  const question = q.questions![0]!
  return dnsPacket.encode({
    id: q.id,
    type: 'response',
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions: [question],
    answers: [{ name: question.name, type: 'A', ttl: 300, data }],
    ...overrides,
  })
}

/** An in-memory file seam: `set`/`remove` files, `changed` fires the watchers of a path. */
export class MemoryFiles implements FileSource {
  readonly files = new Map<string, string>()
  private readonly watchers = new Map<string, Set<() => void>>()
  reads = 0

  set(path: string, text: string): void {
    this.files.set(path, text)
  }

  remove(path: string): void {
    this.files.delete(path)
  }

  changed(path: string): void {
    for (const w of this.watchers.get(path) ?? []) w()
  }

  get watching(): number {
    let n = 0
    for (const s of this.watchers.values()) n += s.size
    return n
  }

  async readFile(path: string): Promise<string> {
    this.reads++
    const text = this.files.get(path)
    if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' })
    return text
  }

  watch(path: string, onChange: () => void): () => void {
    let set = this.watchers.get(path)
    if (!set) this.watchers.set(path, (set = new Set()))
    set.add(onChange)
    return () => set.delete(onChange)
  }
}
