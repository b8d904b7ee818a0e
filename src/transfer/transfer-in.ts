/**
 * {@link transferIn}: one zone transfer from a primary over TCP (AXFR, RFC 5936; IXFR, RFC
 * 1995 with our SOA in the authority section), optionally TSIG-signed with every message of the
 * answer verified (RFC 8945 §5.3.1). Bounded by a connect timeout, an idle timeout, an overall
 * timeout and a byte budget. The result is a new zone, checked (SOA, limits) before it is
 * returned; the current zone is never changed. Every failure is an `ERR_TRANSFER_IN` error with
 * a readable message and a `details.reason` ({@link TransferFailureCode}).
 */
import dnsPacket from 'dns-packet'
import { CLASS, FLAG, OPCODE, RCODE, rcodeName } from '../packet/constants.js'
import { packetClassName, typeMnemonic } from '../packet/types.js'
import { readName, skipName } from '../packet/wire.js'
import type { ResolvedTsigKey, TsigKey } from '../tsig/key.js'
import { resolveTsigKey } from '../tsig/keyring.js'
import { signRequest } from '../tsig/sign.js'
import { TsigStreamVerifier } from '../tsig/stream-verify.js'
import type { Clock } from '../util/clock.js'
import { realClock } from '../util/clock.js'
import type { Network, StreamSocket } from '../util/network.js'
import { nodeNetwork } from '../util/network.js'
import { DnsHaError, isDnsHaError } from '../util/errors.js'
import type { Random } from '../util/random.js'
import { defaultRandom } from '../util/random.js'
import { checkZoneLimits, resolveZoneLimits, ZONE_FILE_LIMITS } from '../zone/limits.js'
import { readWireRdata } from '../zone/wire-rdata.js'
import type { ZoneLimits } from '../zone/limits.js'
import type { Zone } from '../zone/zone.js'
import { IncomingSequence } from './incoming-sequence.js'
import { readFramedMessages } from './stream-reader.js'
import { transferFailure } from './transfer-failure.js'
import type { TransferFailureCode } from './transfer-failure.js'

/** Options of {@link transferIn}. */
export interface TransferInOptions {
  /** The zone's origin. */
  origin: string
  /** The primary. */
  server: { address: string; port?: number }
  /** `'ixfr'` needs `current` (its SOA goes in the request); the primary may still answer with a full zone. */
  kind: 'axfr' | 'ixfr'
  /** The copy we hold: what an IXFR applies to, and the serial the answer must not go below. */
  current?: Zone
  /** Sign the request and require every message of the answer to verify (RFC 8945 §5.3.1). */
  tsig?: TsigKey | ResolvedTsigKey
  /** Connect timeout in ms (default 10,000). */
  connectTimeoutMs?: number
  /** No byte for this long fails the transfer as stalled (default 60,000 ms). */
  idleTimeoutMs?: number
  /** The whole transfer's bound (default 1,800,000 ms: 30 minutes). */
  timeoutMs?: number
  /** The most bytes taken (default 512 MiB). */
  maxBytes?: number
  /** Bounds the resulting zone must be within (`checkZoneLimits`). */
  limits?: ZoneLimits
  signal?: AbortSignal
  network?: Network
  clock?: Clock
  random?: Random
}

/** What a transfer brought. */
export interface TransferInResult {
  /** `'axfr'` (a full zone, also when an IXFR was answered AXFR-style), `'ixfr'`, or `'up-to-date'` (no zone). */
  kind: 'axfr' | 'ixfr' | 'up-to-date'
  /** The new zone (not for `'up-to-date'`). */
  zone: Zone | undefined
  serial: number
  /** Records in the answer (for IXFR: the SOAs and the changes, not the zone's size). */
  records: number
  messages: number
  bytes: number
  /** From connecting to the closing SOA. */
  ms: number
}

/** Default bounds. */
export const TRANSFER_IN_DEFAULTS = Object.freeze({ connectTimeoutMs: 10_000, idleTimeoutMs: 60_000, timeoutMs: 1_800_000, maxBytes: 512 * 1024 * 1024 })

/** Transfers `origin` from `server`; rejects with an `ERR_TRANSFER_IN` error. */
export async function transferIn(options: TransferInOptions): Promise<TransferInResult> {
  const clock = options.clock ?? realClock
  const network = options.network ?? nodeNetwork
  const random = options.random ?? defaultRandom()
  const port = options.server.port ?? 53
  const ixfr = options.kind === 'ixfr'
  if (ixfr && !options.current?.soa) throw transferFailure('ixfr-mismatch', 'IXFR needs a current copy with an SOA')
  const key = options.tsig === undefined ? undefined : Buffer.isBuffer((options.tsig as ResolvedTsigKey).nameWire) ? (options.tsig as ResolvedTsigKey) : resolveTsigKey(options.tsig as TsigKey, 'tsig')
  const started = clock.now()
  const id = random.int(0x10000)
  let request: Buffer = Buffer.from(
    dnsPacket.encode({
      type: 'query',
      id,
      flags: 0,
      questions: [{ name: options.origin, type: ixfr ? 'IXFR' : 'AXFR', class: 'IN' }],
      ...(ixfr ? { authorities: [{ ...options.current!.soa!, flush: false }] } : {}),
    } as dnsPacket.Packet),
  )
  let verifier: TsigStreamVerifier | undefined
  if (key) {
    const signed = signRequest(request, key, Math.floor(clock.now() / 1000))
    request = signed.bytes
    verifier = new TsigStreamVerifier(signed.context)
  }

  let socket: StreamSocket
  const connectTimeoutMs = options.connectTimeoutMs ?? TRANSFER_IN_DEFAULTS.connectTimeoutMs
  try {
    socket = await network.connectStream(options.server.address, port, { timeoutMs: connectTimeoutMs })
  } catch (cause) {
    throw transferFailure('network', `cannot connect to ${options.server.address}:${port}: ${(cause as Error)?.message ?? cause}`, cause)
  }
  const framed = Buffer.allocUnsafe(request.length + 2)
  framed.writeUInt16BE(request.length, 0)
  request.copy(framed, 2)
  socket.write(framed)

  const sequence = new IncomingSequence(options.origin, options.current, resolveZoneLimits(options.limits, ZONE_FILE_LIMITS))
  let index = 0
  const read = await readFramedMessages(socket, {
    clock,
    idleTimeoutMs: options.idleTimeoutMs ?? TRANSFER_IN_DEFAULTS.idleTimeoutMs,
    timeoutMs: options.timeoutMs ?? TRANSFER_IN_DEFAULTS.timeoutMs,
    maxBytes: options.maxBytes ?? TRANSFER_IN_DEFAULTS.maxBytes,
    ...(options.signal ? { signal: options.signal } : {}),
    onMessage: (message) => {
      index++
      if (message.length < 12) throw transferFailure('malformed', `message ${index} is shorter than a header`)
      const flags = message.readUInt16BE(2)
      if (message.readUInt16BE(0) !== id || (flags & FLAG.QR) === 0 || ((flags >> 11) & 0xf) !== OPCODE.QUERY) {
        throw transferFailure('malformed', `message ${index} is not an answer to our request`)
      }
      const rcode = flags & 0xf
      if (rcode !== RCODE.NOERROR) throw transferFailure('rcode', `the primary answered ${rcodeName(rcode)}`)
      if (verifier) {
        const v = verifier.verify(message, Math.floor(clock.now() / 1000))
        if (v.status === 'failed') throw transferFailure('tsig', `TSIG failed at message ${index}: ${v.reason}`)
      }
      try {
        readAnswers(message, sequence)
      } catch (cause) {
        if (isDnsHaError(cause, 'ERR_PACKET_MALFORMED')) throw transferFailure('malformed', `message ${index} does not decode: ${(cause as Error).message}`, cause)
        throw cause
      }
      if (!sequence.endOfMessage(ixfr)) return false
      if (verifier) {
        const end = verifier.finish()
        if (end.status === 'failed') throw transferFailure('tsig', `TSIG failed at the end of the stream: ${end.reason}`)
      }
      return true
    },
  })
  const result = sequence.result()
  if (result.zone) {
    if (!result.zone.soa) throw transferFailure('zone-invalid', 'the transferred zone has no SOA')
    try {
      checkZoneLimits(result.zone, options.limits)
    } catch (cause) {
      throw transferFailure('zone-invalid', `the transferred zone is over a limit: ${(cause as Error).message}`, cause)
    }
  }
  return { ...result, messages: read.messages, bytes: read.bytes, ms: clock.now() - started }
}

/**
 * Failures of an IXFR after which the same primary is asked for an AXFR at once: an error rcode
 * (NOTIMP, FORMERR: no IXFR there) or a lone newer SOA. A stream that does not fit our copy
 * (`ixfr-mismatch`) is reported instead, and the next attempt asks for AXFR.
 */
export function ixfrFallsBack(reason: TransferFailureCode | undefined): boolean {
  return reason === 'rcode' || reason === 'ixfr-soa-only'
}

/**
 * Hands the answer records of one message to `sequence`, read straight off the wire (the
 * question and the other sections are skipped: the TSIG record is in the additional section).
 * An owner that points at the previous record's owner reuses its text. Throws
 * `ERR_PACKET_MALFORMED` for a message that does not parse.
 */
function readAnswers(message: Buffer, sequence: IncomingSequence): void {
  const questions = message.readUInt16BE(4)
  const answers = message.readUInt16BE(6)
  let pos = 12
  for (let i = 0; i < questions; i++) {
    pos = skipName(message, pos) + 4
    if (pos > message.length) throw malformed('question truncated')
  }
  let lastTarget = -1
  let lastName = ''
  for (let i = 0; i < answers; i++) {
    const start = pos
    // Where the owner's bytes are: its own place, or where its compression pointer leads.
    const first = message[pos]
    const target = first !== undefined && first >= 0xc0 && pos + 1 < message.length ? ((first & 0x3f) << 8) | (message[pos + 1] as number) : pos
    let name: string
    if (target === lastTarget && target !== pos) {
      name = lastName
      pos += 2
    } else {
      const read = readName(message, pos)
      name = read.name
      pos = read.end
      lastTarget = target
      lastName = name
    }
    if (pos + 10 > message.length) throw malformed('record header truncated')
    const type = message.readUInt16BE(pos)
    const klass = message.readUInt16BE(pos + 2)
    const ttl = message.readUInt32BE(pos + 4)
    const length = message.readUInt16BE(pos + 8)
    const rdata = pos + 10
    pos = rdata + length
    if (pos > message.length) throw malformed('record data runs past the end')
    if (klass !== CLASS.IN) throw transferFailure('malformed', `record ${name} ${typeMnemonic(type)} has class ${packetClassName(klass)}`)
    sequence.push(name, type, ttl, readWireRdata(message, start, type, rdata, length))
  }
}

function malformed(message: string): DnsHaError {
  return new DnsHaError('ERR_PACKET_MALFORMED', message)
}
