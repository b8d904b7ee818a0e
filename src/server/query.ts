/**
 * {@link DnsQuery}: one query as a handler sees it. The header, question and EDNS record are read
 * from the wire up front (cheap); the full dns-packet decode happens only if a handler reads
 * `packet`, so a handler answering from the question alone never pays for it.
 */
import dnsPacket from 'dns-packet'
import type { DnsPacket } from '../packet/dns-packet.js'
import { classCode, className, EDNS_DO, typeName } from '../packet/constants.js'
import type { WireEdns, WireHeader, WireQuestion } from '../packet/wire.js'
import { opcodeOf, readEdns, readHeader, readQuestion } from '../packet/wire.js'
import type { TsigAlgorithm } from '../tsig/algorithms.js'
import type { TsigRequestContext } from '../tsig/verify-request.js'
import { DnsHaError } from '../util/errors.js'

/** Where a query came from. */
export interface ClientInfo {
  address: string
  port: number
  family: 'IPv4' | 'IPv6'
}

/** The transport a query arrived on. */
export type Transport = 'udp' | 'tcp'

/** The question of a query, names in presentation form with a trailing dot. */
export interface DnsQuestion {
  /** The name as the client sent it (case kept, for 0x20-style echoing). */
  name: string
  /** Type name (`'A'`, `'TYPE65280'`). */
  type: string
  /** Class name (`'IN'`, `'CH'`). */
  class: string
}

/** The key that signed a query, once its TSIG verified (RFC 8945). */
export interface QueryTsig {
  /** Lower case with a trailing dot, as in the server's keyring. */
  keyName: string
  algorithm: TsigAlgorithm
}

/** One query as a handler sees it. */
export class DnsQuery {
  /** The message bytes as received. */
  readonly raw: Buffer
  readonly client: ClientInfo
  readonly transport: Transport
  /** The largest UDP response this client accepts (512 without EDNS; its payload size, capped by the server, with EDNS). */
  readonly maxUdpSize: number
  readonly header: WireHeader
  /** The first question; `undefined` only for messages without one (e.g. some NOTIFYs are still well formed with it). */
  readonly wireQuestion: WireQuestion | undefined
  /** The EDNS OPT record, when the query has one. */
  readonly edns: WireEdns | undefined
  private decoded: DnsPacket | undefined
  private questionCache: DnsQuestion | undefined
  private verifiedTsig: TsigRequestContext | undefined
  private tsigCache: QueryTsig | undefined

  /** Parses the header, question and EDNS; throws `ERR_PACKET_MALFORMED` when they are unreadable. */
  constructor(raw: Buffer, client: ClientInfo, transport: Transport, maxUdpSizeCap = 1232) {
    this.raw = raw
    this.client = client
    this.transport = transport
    this.header = readHeader(raw)
    this.wireQuestion = this.header.qdcount > 0 ? readQuestion(raw) : undefined
    const hasMore = this.header.ancount + this.header.nscount + this.header.arcount + Math.max(0, this.header.qdcount - 1) > 0
    this.edns = hasMore ? readEdns(raw, this.header, this.wireQuestion?.end ?? 12) : undefined
    this.maxUdpSize = this.edns ? Math.max(512, Math.min(this.edns.udpPayloadSize, maxUdpSizeCap)) : 512
  }

  /** Builds a query from a dns-packet object, as if it had arrived (for unit tests and in-process calls). */
  static from(packet: Parameters<typeof dnsPacket.encode>[0], options: { client?: Partial<ClientInfo>; transport?: Transport; maxUdpSizeCap?: number } = {}): DnsQuery {
    const client: ClientInfo = { address: '127.0.0.1', port: 53000, family: 'IPv4', ...options.client }
    return new DnsQuery(dnsPacket.encode({ type: 'query', ...packet }), client, options.transport ?? 'udp', options.maxUdpSizeCap)
  }

  /** The message id. */
  get id(): number {
    return this.header.id
  }

  /** The opcode number (0 QUERY, 4 NOTIFY, 5 UPDATE). */
  get opcode(): number {
    return opcodeOf(this.header.flags)
  }

  /** The first question with type and class as names. */
  get question(): DnsQuestion | undefined {
    const q = this.wireQuestion
    if (!q) return undefined
    this.questionCache ??= { name: q.name, type: typeName(q.type), class: className(q.class) }
    return this.questionCache
  }

  /** The question's type code (fast path: no string work). */
  get qtype(): number {
    return this.wireQuestion?.type ?? 0
  }

  /** The question's class code. */
  get qclass(): number {
    return this.wireQuestion?.class ?? classCode('IN')!
  }

  /** Whether the client set the DNSSEC OK bit. */
  get dnssecOk(): boolean {
    return this.edns !== undefined && (this.edns.flags & EDNS_DO) !== 0
  }

  /** Whether the client asked for recursion (RD). */
  get recursionDesired(): boolean {
    return (this.header.flags & 0x0100) !== 0
  }

  /**
   * The key that signed this query: set only when the server has a `tsig` keyring and the
   * signature verified, so it can be trusted for access decisions. A TSIG record the server did
   * not verify (no keyring) leaves it `undefined`.
   */
  get tsig(): QueryTsig | undefined {
    const context = this.verifiedTsig
    if (!context) return undefined
    this.tsigCache ??= { keyName: context.key.name, algorithm: context.key.algorithm }
    return this.tsigCache
  }

  /**
   * What signing the answer needs (the key and the request MAC), once verified.
   * @internal
   */
  get tsigContext(): TsigRequestContext | undefined {
    return this.verifiedTsig
  }

  /**
   * Records a verified TSIG; the server calls it before the handler sees the query.
   * @internal
   */
  setVerifiedTsig(context: TsigRequestContext): void {
    this.verifiedTsig = context
  }

  /**
   * The full dns-packet decode, made on first use. Throws `ERR_PACKET_MALFORMED` (which the
   * server answers with FORMERR) when the rest of the message does not decode.
   */
  get packet(): DnsPacket {
    if (!this.decoded) {
      try {
        this.decoded = dnsPacket.decode(this.raw) as DnsPacket
      } catch (cause) {
        throw new DnsHaError('ERR_PACKET_MALFORMED', 'query does not decode', { cause })
      }
    }
    return this.decoded
  }
}
