// A scripted primary on a MemoryNetwork (or any Network): SOA over UDP, AXFR/IXFR over TCP from a
// history of zone versions, optionally TSIG-signed per RFC 8945 §5.3.1, and hooks to break the
// stream in every way a secondary must survive.
import dnsPacket from 'dns-packet'
import { computeStreamMac } from '../../src/tsig/mac.js'
import { encodeTsigRecord, readTsig } from '../../src/tsig/record.js'
import { appendRecord, signResponse } from '../../src/tsig/sign.js'
import type { TsigRequestContext } from '../../src/tsig/verify-request.js'
import { verifyRequest } from '../../src/tsig/verify-request.js'
import { createKeyring } from '../../src/tsig/keyring.js'
import type { TsigKey } from '../../src/tsig/key.js'
import type { Clock } from '../../src/util/clock.js'
import type { DatagramSocket, Network, StreamServer, StreamSocket } from '../../src/util/network.js'
import { formatRecord, parseZone } from '../../src/zone/index.js'
import type { Zone, ZoneRecord } from '../../src/zone/zone.js'

/** What the secondary asked for over TCP. */
export interface TransferRequest {
  type: 'AXFR' | 'IXFR'
  /** The serial in an IXFR's authority SOA. */
  serial: number | undefined
}

/** A scripted answer: record chunks (one message each) or raw messages, and how the stream ends. */
export interface ScriptedReply {
  messages: (ZoneRecord[] | Buffer)[]
  /** `'end'` (default: the server closes after the last message), `'stall'` (keeps the connection open, sends nothing more). */
  then?: 'end' | 'stall'
  /** Answer with this rcode alone (one message, no records). */
  rcode?: number
  /** Change a message's bytes after signing (index, bytes) => bytes. */
  tamper?: (index: number, bytes: Buffer) => Buffer
}

export interface FakePrimaryOptions {
  network: Network
  clock: Clock
  origin: string
  zone: string
  address?: string
  port?: number
  key?: TsigKey
  /** Records per message (default 3, so even small zones take several). */
  perMessage?: number
}

export class FakePrimary {
  readonly address: string
  readonly port: number
  readonly origin: string
  readonly requests: TransferRequest[] = []
  soaQueries = 0
  /** The serial the SOA query reports (default: the zone's). */
  soaSerialOverride: number | undefined
  /** Replaces the default AXFR/IXFR answer. */
  script: ((request: TransferRequest) => ScriptedReply | undefined) | undefined
  /** While true, UDP queries go unanswered and TCP connections are closed at once. */
  down = false
  /** While true, UDP queries go unanswered (TCP still works: UDP filtered). */
  udpDown = false
  /** SOA queries that came over TCP. */
  tcpSoaQueries = 0
  zone: Zone
  private readonly history = new Map<number, Zone>()
  private udp: DatagramSocket | undefined
  private tcp: StreamServer | undefined
  private readonly keyring
  private readonly perMessage: number

  constructor(private readonly options: FakePrimaryOptions) {
    this.address = options.address ?? '10.0.0.1'
    this.port = options.port ?? 53
    this.origin = options.origin
    this.keyring = createKeyring(options.key ? [options.key] : [])
    this.perMessage = options.perMessage ?? 3
    this.zone = this.setZone(options.zone)
  }

  /** Serves `text` from now on (older versions stay in the IXFR history). */
  setZone(text: string): Zone {
    const zone = parseZone(text, { origin: this.origin })
    this.zone = zone
    this.history.set(serialOf(zone), zone)
    return zone
  }

  get serial(): number {
    return serialOf(this.zone)
  }

  async start(): Promise<void> {
    const udp = this.options.network.createDatagramSocket(4)
    await udp.bind(this.port, this.address)
    udp.onMessage((msg, rinfo) => {
      if (this.down || this.udpDown) return
      this.soaQueries++
      const q = dnsPacket.decode(msg)
      const soa = { ...this.zone.soa!, data: { ...this.zone.soa!.data, serial: this.soaSerialOverride ?? this.serial } }
      const answer = Buffer.from(dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: q.questions, answers: [soa as never] }))
      const signed = this.signFirst(msg, answer)
      udp.send(signed.bytes, rinfo.port, rinfo.address)
    })
    this.udp = udp
    this.tcp = this.options.network.createStreamServer((socket) => this.onConnection(socket))
    await this.tcp.listen(this.port, this.address)
  }

  async stop(): Promise<void> {
    await this.udp?.close()
    await this.tcp?.close()
  }

  private onConnection(socket: StreamSocket): void {
    if (this.down) return socket.destroy()
    let pending = Buffer.alloc(0)
    socket.onData((chunk) => {
      pending = Buffer.concat([pending, chunk])
      if (pending.length < 2 || pending.length < 2 + pending.readUInt16BE(0)) return
      const raw = pending.subarray(2, 2 + pending.readUInt16BE(0))
      pending = Buffer.alloc(0)
      this.answerTransfer(socket, Buffer.from(raw))
    })
  }

  private answerTransfer(socket: StreamSocket, raw: Buffer): void {
    const q = dnsPacket.decode(raw)
    if (q.questions![0]!.type === 'SOA') {
      this.tcpSoaQueries++
      const soa = { ...this.zone.soa!, data: { ...this.zone.soa!.data, serial: this.soaSerialOverride ?? this.serial } }
      const answer = Buffer.from(dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: q.questions, answers: [soa as never] }))
      const bytes = this.signFirst(raw, answer).bytes
      const framed = Buffer.alloc(bytes.length + 2)
      framed.writeUInt16BE(bytes.length, 0)
      bytes.copy(framed, 2)
      socket.write(framed)
      return
    }
    const type = q.questions![0]!.type as 'AXFR' | 'IXFR'
    const authSoa = (q.authorities ?? []).find((a) => a.type === 'SOA') as { data: { serial: number } } | undefined
    const request: TransferRequest = { type, serial: authSoa?.data.serial }
    this.requests.push(request)
    const scripted = this.script?.(request) ?? this.defaultReply(request)
    const reply: ScriptedReply =
      scripted.rcode === undefined ? scripted : { messages: [Buffer.from(dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.AUTHORITATIVE_ANSWER | scripted.rcode, questions: q.questions }))] }
    let context: TsigRequestContext | undefined
    let priorMac: Buffer | undefined
    reply.messages.forEach((m, index) => {
      let bytes = Buffer.isBuffer(m)
        ? m
        : Buffer.from(dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: index === 0 ? q.questions : [], answers: m as never }))
      if (this.options.key) {
        if (index === 0) {
          const first = this.signFirst(raw, bytes)
          bytes = first.bytes
          context = first.context
          priorMac = first.mac
        } else {
          const signed = signLater(bytes, context!, priorMac!, Math.floor(this.options.clock.now() / 1000))
          bytes = signed.bytes
          priorMac = signed.mac
        }
      }
      if (reply.tamper) bytes = reply.tamper(index, bytes)
      const framed = Buffer.alloc(bytes.length + 2)
      framed.writeUInt16BE(bytes.length, 0)
      bytes.copy(framed, 2)
      socket.write(framed)
    })
    if ((reply.then ?? 'end') === 'end') socket.end()
  }

  /** The answer signed over the request's MAC when the request was signed. */
  private signFirst(request: Buffer, answer: Buffer): { bytes: Buffer; context: TsigRequestContext | undefined; mac: Buffer | undefined } {
    if (!this.options.key) return { bytes: answer, context: undefined, mac: undefined }
    const now = Math.floor(this.options.clock.now() / 1000)
    const verdict = verifyRequest(request, this.keyring, now)
    if (verdict.status !== 'ok') return { bytes: answer, context: undefined, mac: undefined }
    const bytes = signResponse(answer, verdict.context, now)
    const mac = macOf(bytes)
    return { bytes, context: verdict.context, mac }
  }

  private defaultReply(request: TransferRequest): ScriptedReply {
    const current = this.zone
    const soa = current.soa!
    if (request.type === 'IXFR' && request.serial !== undefined) {
      if (request.serial === this.serial) return { messages: [[soa]] }
      const old = this.history.get(request.serial)
      if (old) {
        const oldLines = new Map([...old.eachRecord()].filter((r) => r.type !== 'SOA').map((r) => [formatRecord(r), r]))
        const newLines = new Map([...current.eachRecord()].filter((r) => r.type !== 'SOA').map((r) => [formatRecord(r), r]))
        const deletions = [...oldLines].filter(([k]) => !newLines.has(k)).map(([, r]) => r)
        const additions = [...newLines].filter(([k]) => !oldLines.has(k)).map(([, r]) => r)
        return { messages: this.chunk([soa, old.soa!, ...deletions, soa, ...additions, soa]) }
      }
    }
    const rest = [...current.eachRecord()].filter((r) => r.type !== 'SOA')
    return { messages: this.chunk([soa, ...rest, soa]) }
  }

  /** Records split into messages of `perMessage`. */
  chunk(records: ZoneRecord[]): ZoneRecord[][] {
    const out: ZoneRecord[][] = []
    for (let i = 0; i < records.length; i += this.perMessage) out.push(records.slice(i, i + this.perMessage))
    return out
  }
}

/** Signs a later message of a stream (RFC 8945 §5.3.1: prior MAC, message, timers). */
export function signLater(message: Buffer, context: TsigRequestContext, priorMac: Buffer, now: number): { bytes: Buffer; mac: Buffer } {
  const key = context.key
  const id = message.readUInt16BE(0)
  const mac = computeStreamMac({ secret: key.secret, hash: key.hash, priorMac, unsigned: [], message, originalId: id, arcount: message.readUInt16BE(10), timeSigned: now, fudge: 300 })
  const record = encodeTsigRecord({ nameWire: key.nameWire, algorithmWire: key.algorithmWire, timeSigned: now, fudge: 300, mac, originalId: id, error: 0, otherData: Buffer.alloc(0) })
  return { bytes: appendRecord(message, record), mac }
}

function macOf(bytes: Buffer): Buffer {
  const found = readTsig(bytes)
  if (found.status !== 'found') throw new Error('not signed')
  return found.record.mac
}

export function serialOf(zone: Zone): number {
  return (zone.soa!.data as { serial: number }).serial
}
