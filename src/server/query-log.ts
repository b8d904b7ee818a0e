/**
 * The query log (BIND's `querylog`, dnsmasq's `log-queries`): one entry per answered query,
 * built from the query's and the answer's bytes as they leave, so every path (the cache fast
 * path, the handler, FORMERR for an unreadable question, stream answers) is logged the same
 * way. Off, the server does no work for it beyond one `undefined` check per message.
 */
import { className, EDNS_DO, FLAG, rcodeName, typeName } from '../packet/constants.js'
import { readEdns, readHeader, readQuestion } from '../packet/wire.js'
import type { Clock } from '../util/clock.js'
import type { ComponentLogger, Logger } from '../util/logger.js'
import { toLogger } from '../util/logger.js'
import type { ClientInfo, Transport } from './query.js'
import type { StreamWrite } from './tcp-connection.js'

/** One line of the query log. */
export interface QueryLogEntry {
  /** `address:port` (`[address]:port` for IPv6). */
  client: string
  address: string
  port: number
  transport: Transport
  /** The message id. */
  id: number
  /** The question as sent (trailing dot), `''` when it could not be read (FORMERR). */
  qname: string
  /** Type name (`'A'`), `''` when unreadable. */
  qtype: string
  /** Class name (`'IN'`), `''` when unreadable. */
  qclass: string
  /** The query's RD and CD header bits and its EDNS DO bit, comma separated (`'RD,DO'`), `''` for none. */
  flags: string
  /** The answer's rcode name, extended rcodes included (`'BADVERS'`). */
  rcode: string
  /** Records in the answer section. */
  answers: number
  /** Bytes of the (first) response message. */
  size: number
  /** From the message's arrival to its answer leaving, in whole µs (on the server's clock). */
  micros: number
}

/**
 * Where query log entries go: a function given each entry, or a logger (console- or
 * pino-shaped) given `info('query', entry)`.
 */
export type QueryLogSink = ((entry: QueryLogEntry) => void) | Logger

/** Builds and delivers query log entries for one server. @internal */
export class QueryLog {
  private readonly deliver: (entry: QueryLogEntry) => void
  private readonly clock: Clock

  constructor(sink: QueryLogSink, clock: Clock) {
    this.clock = clock
    if (typeof sink === 'function') {
      this.deliver = sink
    } else {
      const logger: ComponentLogger = toLogger(sink, { component: 'query' })
      this.deliver = (entry) => logger.info('query', entry as unknown as Record<string, unknown>)
    }
  }

  /** Now, for a message's start (ms with a fraction when the clock has `monotonic`). */
  now(): number {
    return this.clock.monotonic !== undefined ? this.clock.monotonic() : this.clock.now()
  }

  /** A `send` that logs the first response it carries. */
  wrapSend(raw: Uint8Array, client: ClientInfo, transport: Transport, start: number, send: (bytes: Uint8Array) => void): (bytes: Uint8Array) => void {
    let logged = false
    return (bytes) => {
      send(bytes)
      if (logged) return
      logged = true
      this.record(raw, client, transport, bytes, start)
    }
  }

  /** A stream writer that logs the first message of a stream answer. */
  wrapStream(raw: Uint8Array, client: ClientInfo, transport: Transport, start: number, stream: StreamWrite): StreamWrite {
    let logged = false
    return (bytes) => {
      if (bytes !== undefined && !logged) {
        logged = true
        this.record(raw, client, transport, bytes, start)
      }
      return stream(bytes)
    }
  }

  /** Logs one answered query; never throws (a failing sink must not cost the answer). */
  record(raw: Uint8Array, client: ClientInfo, transport: Transport, response: Uint8Array, start: number): void {
    try {
      this.deliver(this.entry(raw, client, transport, response, start))
    } catch {
      // The answer is already sent; the log line is the only loss.
    }
  }

  private entry(raw: Uint8Array, client: ClientInfo, transport: Transport, response: Uint8Array, start: number): QueryLogEntry {
    const micros = Math.max(0, Math.round((this.now() - start) * 1000))
    const id = raw.length >= 2 ? (raw[0]! << 8) | raw[1]! : 0
    let qname = ''
    let qtype = ''
    let qclass = ''
    let flags = ''
    if (raw.length >= 12) {
      const header = readHeader(raw)
      const bits: string[] = []
      if ((header.flags & FLAG.RD) !== 0) bits.push('RD')
      try {
        if (header.qdcount > 0) {
          const question = readQuestion(raw)
          qname = question.name
          qtype = typeName(question.type)
          qclass = className(question.class)
          const edns = readEdns(raw, header, question.end)
          if (edns !== undefined && (edns.flags & EDNS_DO) !== 0) bits.push('DO')
        }
      } catch {
        // Unreadable question or EDNS (the FORMERR case): logged without them.
      }
      if ((header.flags & FLAG.CD) !== 0) bits.push('CD')
      flags = bits.join(',')
    }
    return {
      client: client.family === 'IPv6' ? `[${client.address}]:${client.port}` : `${client.address}:${client.port}`,
      address: client.address,
      port: client.port,
      transport,
      id,
      qname,
      qtype,
      qclass,
      flags,
      rcode: rcodeName(responseRcode(response)),
      answers: response.length >= 8 ? (response[6]! << 8) | response[7]! : 0,
      size: response.length,
      micros,
    }
  }
}

/** The full rcode of a response: its header's 4 bits and, with EDNS, the OPT's upper 8 (RFC 6891 §6.1.3). */
function responseRcode(response: Uint8Array): number {
  if (response.length < 12) return 0
  const low = response[3]! & 0xf
  const header = readHeader(response)
  if (header.arcount === 0) return low
  try {
    const question = header.qdcount > 0 ? readQuestion(response) : undefined
    const edns = readEdns(response, header, question?.end ?? 12)
    return edns === undefined ? low : (edns.extendedRcode << 4) | low
  } catch {
    return low
  }
}
