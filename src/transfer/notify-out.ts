/**
 * {@link NotifySender}: NOTIFY out (RFC 1996). Each target gets a NOTIFY for the zone's new
 * serial over UDP, retried with doubling waits (1 s, 2 s, 4 s, ... as BIND does) until it answers
 * NOERROR with our id and question; an error answer (REFUSED, NOTAUTH) or no answer after the last
 * try ends it with a failure. A newer serial for the same zone and target replaces one still being
 * retried. Signed with TSIG when the target names a key, and the answer's signature is checked.
 */
import { CLASS, FLAG, OPCODE, OPCODE_SHIFT, RCODE, TYPE, rcodeName } from '../packet/constants.js'
import { encodeMessage } from '../packet/encode-message.js'
import { canonicalName } from '../packet/names.js'
import { readHeader, readQuestion } from '../packet/wire.js'
import type { ResolvedTsigKey } from '../tsig/key.js'
import { signRequest } from '../tsig/sign.js'
import type { TsigRequestContext } from '../tsig/verify-request.js'
import { verifyResponse } from '../tsig/verify-response.js'
import type { Clock, TimerHandle } from '../util/clock.js'
import type { DatagramSocket, Network, RemoteInfo } from '../util/network.js'
import { addressFamily } from '../util/network.js'
import type { Random } from '../util/random.js'
import type { ZoneRecord } from '../zone/zone.js'

/** Where a NOTIFY goes. */
export interface NotifyTarget {
  address: string
  /** Default 53. */
  port?: number
  /** The name of a key in the Authority's `tsig` keyring to sign this target's NOTIFY with. */
  key?: string
}

/** A NOTIFY was sent (first try or a retry). */
export interface NotifySentEvent {
  zone: string
  serial: number
  target: { address: string; port: number }
  /** 1 for the first try. */
  attempt: number
}

/** A target answered NOERROR. */
export interface NotifyAckedEvent extends NotifySentEvent {
  /** From the first try to the answer. */
  ms: number
  /** Whether the answer had the AA bit (BIND, NSD and Knot set it; RFC 1996 does not require it). */
  aa: boolean
}

/** A target never acknowledged, or refused. */
export interface NotifyFailedEvent extends NotifySentEvent {
  reason: string
}

/** Timing of NOTIFY retries. */
export interface NotifyRetryOptions {
  /** Tries per target (default 5, as BIND). */
  retries: number
  /** Wait after the first try; each later wait doubles (default 1000 ms). */
  retryMs: number
}

/** What a {@link NotifySender} reports through. */
export interface NotifyReporter {
  sent(event: NotifySentEvent): void
  acked(event: NotifyAckedEvent): void
  failed(event: NotifyFailedEvent): void
}

interface Pending {
  zone: string
  serial: number
  soa: ZoneRecord
  target: { address: string; port: number }
  key: ResolvedTsigKey | undefined
  attempt: number
  id: number
  startedAt: number
  context: TsigRequestContext | undefined
  timer: TimerHandle | undefined
}

/** Sends NOTIFYs and follows them until acknowledged. */
export class NotifySender {
  private readonly pending = new Map<string, Pending>()
  private readonly sockets = new Map<4 | 6, Promise<DatagramSocket>>()
  private closed = false

  constructor(
    private readonly network: Network,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly retry: NotifyRetryOptions,
    private readonly report: NotifyReporter,
  ) {}

  /** Notifies `target` that `zone` is now at `soa`'s serial (replacing a NOTIFY still retried for an older one). */
  notify(zone: string, soa: ZoneRecord, target: { address: string; port: number }, key: ResolvedTsigKey | undefined): void {
    if (this.closed) return
    const id = `${canonicalName(zone)}\0${target.address}\0${target.port}`
    const old = this.pending.get(id)
    if (old) this.clock.clearTimeout(old.timer)
    const serial = (soa.data as { serial: number }).serial
    const p: Pending = { zone, serial, soa, target, key, attempt: 0, id: 0, startedAt: this.clock.now(), context: undefined, timer: undefined }
    this.pending.set(id, p)
    this.attempt(id, p)
  }

  /** Targets still being retried. */
  get inFlight(): number {
    return this.pending.size
  }

  /** Stops every retry and closes the sockets. */
  async close(): Promise<void> {
    this.closed = true
    for (const p of this.pending.values()) this.clock.clearTimeout(p.timer)
    this.pending.clear()
    const sockets = [...this.sockets.values()]
    this.sockets.clear()
    await Promise.all(sockets.map(async (s) => (await s.catch(() => undefined))?.close()))
  }

  private attempt(key: string, p: Pending): void {
    p.attempt++
    p.id = this.random.int(0x10000)
    const message = encodeMessage({
      id: p.id,
      flags: (OPCODE.NOTIFY << OPCODE_SHIFT) | FLAG.AA,
      question: { name: p.zone, type: TYPE.SOA, class: CLASS.IN },
      answers: [p.soa as never],
      authorities: [],
      additionals: [],
    }).bytes
    let bytes: Uint8Array = message
    p.context = undefined
    if (p.key !== undefined) {
      const signed = signRequest(message, p.key, Math.floor(this.clock.now() / 1000))
      bytes = signed.bytes
      p.context = signed.context
    }
    const wait = this.retry.retryMs * 2 ** (p.attempt - 1)
    p.timer = this.clock.setTimeout(() => {
      if (this.pending.get(key) !== p) return
      if (p.attempt < this.retry.retries) return this.attempt(key, p)
      this.pending.delete(key)
      this.report.failed({ ...this.base(p), reason: `no answer after ${p.attempt} tries` })
    }, wait)
    this.report.sent(this.base(p))
    this.socketFor(p.target.address).then(
      (socket) => {
        if (this.pending.get(key) === p) socket.send(bytes, p.target.port, p.target.address, () => {})
      },
      () => {},
    )
  }

  private socketFor(address: string): Promise<DatagramSocket> {
    const family = addressFamily(address)
    let socket = this.sockets.get(family)
    if (socket === undefined) {
      const s = this.network.createDatagramSocket(family)
      s.onMessage((msg, rinfo) => this.onAnswer(msg, rinfo))
      s.onError(() => {})
      socket = s.bind(0, family === 4 ? '0.0.0.0' : '::').then(() => s)
      this.sockets.set(family, socket)
    }
    return socket
  }

  private onAnswer(msg: Buffer, rinfo: RemoteInfo): void {
    let header: ReturnType<typeof readHeader>
    let qname: string
    try {
      header = readHeader(msg)
      if (header.qdcount !== 1) return
      qname = readQuestion(msg).name
    } catch {
      return
    }
    if ((header.flags & FLAG.QR) === 0 || ((header.flags >> OPCODE_SHIFT) & 0xf) !== OPCODE.NOTIFY) return
    const key = `${canonicalName(qname)}\0${rinfo.address}\0${rinfo.port}`
    const p = this.pending.get(key)
    if (p === undefined || p.id !== header.id) return
    if (p.context !== undefined) {
      const verdict = verifyResponse(msg, p.context, Math.floor(this.clock.now() / 1000))
      // An answer we cannot trust is ignored: the retries go on, as for a lost answer.
      if (verdict.status !== 'ok' && verdict.status !== 'rejected') return
      if (verdict.status === 'rejected') return this.finish(key, p, `TSIG error ${verdict.error}`)
    }
    const rcode = header.flags & 0xf
    if (rcode !== RCODE.NOERROR) return this.finish(key, p, `answered ${rcodeName(rcode)}`)
    this.clock.clearTimeout(p.timer)
    this.pending.delete(key)
    this.report.acked({ ...this.base(p), ms: this.clock.now() - p.startedAt, aa: (header.flags & FLAG.AA) !== 0 })
  }

  private finish(key: string, p: Pending, reason: string): void {
    this.clock.clearTimeout(p.timer)
    this.pending.delete(key)
    this.report.failed({ ...this.base(p), reason })
  }

  private base(p: Pending): NotifySentEvent {
    return { zone: p.zone, serial: p.serial, target: { address: p.target.address, port: p.target.port }, attempt: p.attempt }
  }
}
