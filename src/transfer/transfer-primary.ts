/**
 * {@link TransferPrimary}: the primary side of zone replication, as the Authority uses it. It
 * answers AXFR and IXFR queries for the Authority's zones (after the `allowTransfer` ACL), keeps
 * the IXFR journal as zones change, and sends NOTIFY on every serial change. The Authority owns
 * one (`authority.transfer`) and feeds it: each query for a transfer, with the zone of the
 * client's view, and each zone swap, with the zone now served.
 */
import { EventEmitter } from 'eventemitter3'
import type { Packet } from 'dns-packet'
import { COPY_FLAGS_MASK, FLAG, TYPE } from '../packet/constants.js'
import { canonicalName } from '../packet/names.js'
import type { HandlerResult } from '../server/handler.js'
import type { ClientInfo, DnsQuery } from '../server/query.js'
import { respond } from '../server/respond.js'
import { respondStream } from '../server/stream-response.js'
import type { Keyring } from '../tsig/keyring.js'
import { tsigSpace } from '../tsig/sign.js'
import type { Clock, TimerHandle } from '../util/clock.js'
import { realClock } from '../util/clock.js'
import { DnsHaError } from '../util/errors.js'
import type { ComponentLogger, Logger } from '../util/logger.js'
import { toLogger } from '../util/logger.js'
import type { Network } from '../util/network.js'
import { nodeNetwork } from '../util/network.js'
import type { Random } from '../util/random.js'
import { defaultRandom } from '../util/random.js'
import { compareSerial, serialIncreased } from '../zone/serial.js'
import type { Zone, ZoneRecord } from '../zone/zone.js'
import type { TransferHead, TransferTally } from './axfr-out.js'
import { axfrMessages, DEFAULT_TRANSFER_MESSAGE_SIZE, ixfrRecords, transferMessages } from './axfr-out.js'
import type { IxfrJournalOptions, IxfrJournalSnapshot } from './ixfr-journal.js'
import { IxfrJournal } from './ixfr-journal.js'
import type { NotifyAckedEvent, NotifyFailedEvent, NotifySentEvent, NotifyTarget } from './notify-out.js'
import { NotifySender } from './notify-out.js'
import type { TransferAclEntry } from './transfer-acl.js'
import { TransferAcl } from './transfer-acl.js'
import { diffZones } from './zone-diff.js'

/** The primary-side options (accepted by the Authority's constructor as they are). */
export interface PrimaryTransferOptions {
  /** Who may AXFR/IXFR: CIDRs, `'key:NAME'` or `{ key: 'NAME' }` (a verified TSIG key). Default: nobody. */
  allowTransfer?: readonly TransferAclEntry[]
  /**
   * NOTIFY on serial changes: `true` (default) to the zone's NS hosts (not the SOA MNAME) whose
   * addresses are in the zone, plus `alsoNotify`; `'explicit'` to `alsoNotify` only; `false` to
   * nobody; a list of targets: those, plus `alsoNotify`.
   */
  notify?: boolean | 'explicit' | readonly NotifyTarget[]
  /** NOTIFY targets always sent to (BIND `also-notify`), whatever `notify` says unless `false`. */
  alsoNotify?: readonly NotifyTarget[]
  /** Changes landing within this many ms are announced by one NOTIFY (BIND `notify-delay`; default 0). */
  notifyDelayMs?: number
  /** NOTIFY tries per target (default 5). */
  notifyRetries?: number
  /** Wait after the first NOTIFY try, doubling after each (default 1000 ms). */
  notifyRetryMs?: number
  /** Keys for signing NOTIFY (a target's `key` names one). Incoming transfers are verified by the DnsServer's keyring. */
  tsig?: Keyring
  /** Bounds of the IXFR journal, per zone and view. */
  ixfrJournal?: IxfrJournalOptions
  /** Bytes per transfer message (default 16384, as BIND and NSD; at most 65535). */
  transferMessageSize?: number
  clock?: Clock
  network?: Network
  random?: Random
  /**
   * Where transfers out (`info`, with kind, serials, records, bytes, ms), refused transfers
   * (`warn`), NOTIFYs acknowledged (`info`) and failed (`warn`; then no `process.emitWarning`)
   * are reported, with `component: 'transfer'`; console- or pino-shaped. (The Authority passes
   * its own `logger`.)
   */
  logger?: Logger
}

/** A transfer answered in full. */
export interface TransferOutEvent {
  client: ClientInfo
  view: string
  zone: string
  /** What was sent: an IXFR, an AXFR (asked for, or an IXFR the journal could not answer), or the SOA alone (the client is current, or UDP). */
  kind: 'axfr' | 'ixfr' | 'soa'
  /** What the client asked for. */
  requested: 'axfr' | 'ixfr'
  serial: number
  /** The client's serial, for an IXFR. */
  fromSerial?: number
  records: number
  messages: number
  bytes: number
  ms: number
  /** The TSIG key that signed the request. */
  keyName: string | undefined
}

/** A transfer request refused by `allowTransfer`. */
export interface TransferRefusedEvent {
  client: ClientInfo
  view: string
  zone: string
  requested: 'axfr' | 'ixfr'
  keyName: string | undefined
}

/** Events of {@link TransferPrimary}. */
export interface TransferPrimaryEvents {
  'transfer-out': (event: TransferOutEvent) => void
  'transfer-refused': (event: TransferRefusedEvent) => void
  'notify-sent': (event: NotifySentEvent) => void
  'notify-acked': (event: NotifyAckedEvent) => void
  'notify-failed': (event: NotifyFailedEvent) => void
}

/** A plain-data view of the primary side. */
export interface TransferPrimarySnapshot {
  transfersOut: number
  refused: number
  notifiesInFlight: number
  journal: IxfrJournalSnapshot
}

/** The primary side of zone transfer for one Authority. */
export class TransferPrimary extends EventEmitter<TransferPrimaryEvents> {
  private acl: TransferAcl
  private readonly journal: IxfrJournal
  private readonly notifier: NotifySender
  private readonly notifyMode: 'all' | 'explicit' | 'off'
  private readonly explicitTargets: readonly NotifyTarget[]
  private readonly notifyDelayMs: number
  private readonly messageSize: number
  private readonly keyring: Keyring | undefined
  private readonly clock: Clock
  /** The zone version last seen per view and origin (what the next change is diffed against). */
  private readonly seen = new Map<string, Zone>()
  /** Coalescing: a NOTIFY waiting for `notifyDelayMs`, per origin, with the newest zone. */
  private readonly delayed = new Map<string, { zone: Zone; timer: TimerHandle }>()
  private transfersOut = 0
  private refused = 0

  /** Checks every option; throws `ERR_CONFIG` for a bad ACL entry, target or bound. */
  constructor(options: PrimaryTransferOptions = {}) {
    super()
    this.acl = new TransferAcl(options.allowTransfer ?? [])
    this.journal = new IxfrJournal(options.ixfrJournal ?? {})
    this.clock = options.clock ?? realClock
    this.keyring = options.tsig
    const notify = options.notify ?? true
    if (Array.isArray(notify)) {
      this.notifyMode = 'explicit'
      this.explicitTargets = [...notify, ...(options.alsoNotify ?? [])]
    } else if (notify === true || notify === false || notify === 'explicit') {
      this.notifyMode = notify === true ? 'all' : notify === false ? 'off' : 'explicit'
      this.explicitTargets = options.alsoNotify ?? []
    } else {
      throw new DnsHaError('ERR_CONFIG', `notify must be true, false, 'explicit' or a list of { address, port }`)
    }
    this.explicitTargets.forEach((t, i) => this.checkTarget(t, `notify target ${i}`))
    this.notifyDelayMs = checkInt(options.notifyDelayMs ?? 0, 0, 86_400_000, 'notifyDelayMs')
    this.messageSize = checkInt(options.transferMessageSize ?? DEFAULT_TRANSFER_MESSAGE_SIZE, 512, 65535, 'transferMessageSize')
    const retries = checkInt(options.notifyRetries ?? 5, 1, 100, 'notifyRetries')
    const retryMs = checkInt(options.notifyRetryMs ?? 1000, 1, 3_600_000, 'notifyRetryMs')
    this.notifier = new NotifySender(options.network ?? nodeNetwork, this.clock, options.random ?? defaultRandom(), { retries, retryMs }, {
      sent: (e) => this.emit('notify-sent', e),
      acked: (e) => this.emit('notify-acked', e),
      failed: (e) => this.report('notify-failed', e, `NOTIFY for ${e.zone} serial ${e.serial} to ${e.target.address}#${e.target.port} failed: ${e.reason}`),
    })
    if (options.logger !== undefined) this.logTo(toLogger(options.logger, { component: 'transfer' }))
  }

  /** The log lines, from the primary side's events (not `notify-sent`: one per try). */
  private logTo(logger: ComponentLogger): void {
    const client = (c: { address: string; port: number }): string => `${c.address}#${c.port}`
    this.on('transfer-out', (e) =>
      logger.info(`${e.kind.toUpperCase()} of ${e.zone} serial ${e.serial} to ${client(e.client)}`, {
        zone: e.zone, view: e.view, client: client(e.client), kind: e.kind, requested: e.requested, serial: e.serial, fromSerial: e.fromSerial, records: e.records, messages: e.messages, bytes: e.bytes, ms: e.ms, keyName: e.keyName,
      }),
    )
    this.on('transfer-refused', (e) => logger.warn(`${e.requested.toUpperCase()} of ${e.zone} refused to ${client(e.client)}`, { zone: e.zone, view: e.view, client: client(e.client), requested: e.requested, keyName: e.keyName }))
    this.on('notify-acked', (e) => logger.info(`NOTIFY for ${e.zone} serial ${e.serial} acknowledged by ${client(e.target)}`, { zone: e.zone, serial: e.serial, target: client(e.target), attempt: e.attempt, ms: e.ms, aa: e.aa }))
    this.on('notify-failed', (e) => logger.warn(`NOTIFY for ${e.zone} serial ${e.serial} to ${client(e.target)} failed: ${e.reason}`, { zone: e.zone, serial: e.serial, target: client(e.target), attempt: e.attempt, reason: e.reason }))
  }

  /**
   * Replaces the `allowTransfer` list at run time (revoking a secondary, admitting a new one):
   * requests from then on are judged by `entries`; a transfer already streaming finishes. A bad
   * entry throws `ERR_CONFIG` and the old list stays in force.
   */
  setAllowTransfer(entries: readonly TransferAclEntry[]): void {
    this.acl = new TransferAcl(entries)
  }

  /**
   * Answers an AXFR or IXFR query for `zone`, served to this client in `view`: REFUSED unless
   * `allowTransfer` allows the client; an AXFR is streamed over TCP and refused over UDP; an IXFR
   * is the journal's changes since the client's serial, the whole zone (AXFR form) when the
   * journal does not reach back that far, or the SOA alone when the client is current or asks
   * over UDP.
   */
  answer(query: DnsQuery, view: string, zone: Zone): HandlerResult {
    const qtype = query.wireQuestion!.type
    const requested = qtype === TYPE.AXFR ? 'axfr' : 'ixfr'
    const keyName = query.tsig?.keyName
    const origin = canonicalName(zone.origin)
    if (!this.acl.allows({ address: query.client.address, keyName })) {
      this.refused++
      this.emit('transfer-refused', { client: query.client, view, zone: origin, requested, keyName })
      return respond(query, { rcode: 'REFUSED' }) as Packet
    }
    const started = this.clock.now()
    const soa = zone.soa!
    const serial = (soa.data as { serial: number }).serial
    const head: TransferHead = { id: query.id, flags: FLAG.QR | FLAG.AA | (query.header.flags & COPY_FLAGS_MASK), question: { name: query.wireQuestion!.name, type: qtype, class: query.wireQuestion!.class } }
    const base = { client: query.client, view, zone: origin, requested, serial, keyName } as const

    if (requested === 'axfr') {
      // RFC 5936 §4.2: AXFR is TCP only; BIND and NSD answer it over UDP with FORMERR or REFUSED.
      if (query.transport !== 'tcp') return respond(query, { rcode: 'FORMERR' }) as Packet
      return this.stream(query, head, { zone }, { ...base, kind: 'axfr' }, started)
    }
    const clientSerial = ixfrSerial(query)
    if (clientSerial === undefined) return respond(query, { rcode: 'FORMERR' }) as Packet
    const withFrom = { ...base, fromSerial: clientSerial }
    // Current (or ahead of us): the SOA alone says so (RFC 1995 §2).
    if (compareSerial(clientSerial, serial) !== -1 || query.transport !== 'tcp') {
      this.noteOut({ ...withFrom, kind: 'soa', records: 1, messages: 1, bytes: 0, ms: this.clock.now() - started })
      return respond(query, { aa: true, answers: [soa as never] }) as Packet
    }
    const changes = this.journal.since(journalKey(view, origin), clientSerial)
    if (changes === undefined || changes.length === 0) return this.stream(query, head, { zone }, { ...withFrom, kind: 'axfr' }, started)
    return this.stream(query, head, { records: ixfrRecords(changes, soa) }, { ...withFrom, kind: 'ixfr' }, started)
  }

  /**
   * Tells the primary side what `view` now serves for `origin` (the Authority calls it at start
   * and on every swap). The first version seen is only remembered; a later one with a raised
   * serial is diffed into the journal and announced by NOTIFY; a changed zone whose serial did
   * not rise clears that zone's journal (an IXFR could not describe it) and is announced anyway
   * when the serial differs.
   */
  zoneChanged(view: string, zone: Zone | undefined): void {
    if (zone === undefined || zone.soa === undefined) return
    const origin = canonicalName(zone.origin)
    const key = journalKey(view, origin)
    const previous = this.seen.get(key)
    this.seen.set(key, zone)
    if (previous === undefined || previous === zone) return
    const from = previous.soa!
    const to = zone.soa
    const fromSerial = (from.data as { serial: number }).serial
    const toSerial = (to.data as { serial: number }).serial
    if (serialIncreased(fromSerial, toSerial)) {
      const diff = diffZones(previous, zone)
      this.journal.add(key, { fromSerial, toSerial, fromSoa: from, toSoa: to, deleted: diff.deleted, added: diff.added })
    } else {
      this.journal.clear(key)
    }
    if (fromSerial !== toSerial) this.scheduleNotify(origin, zone)
  }

  /** The IXFR journal (read-only use: its snapshot, or `since`). */
  get ixfrJournal(): IxfrJournal {
    return this.journal
  }

  /** Counters as plain data. */
  snapshot(): TransferPrimarySnapshot {
    return { transfersOut: this.transfersOut, refused: this.refused, notifiesInFlight: this.notifier.inFlight, journal: this.journal.snapshot() }
  }

  /** Stops NOTIFY retries and pending coalesced NOTIFYs, and closes the NOTIFY sockets. */
  async close(): Promise<void> {
    for (const d of this.delayed.values()) this.clock.clearTimeout(d.timer)
    this.delayed.clear()
    await this.notifier.close()
  }

  // ---- transfers ----

  /** Streams an AXFR of `source.zone` (from its column walk) or the IXFR sequence `source.records`. */
  private stream(query: DnsQuery, head: TransferHead, source: { zone: Zone } | { records: Iterable<ZoneRecord> }, event: Omit<TransferOutEvent, 'records' | 'messages' | 'bytes' | 'ms'>, started: number): HandlerResult {
    const reserve = query.tsigContext === undefined ? 0 : tsigSpace(query.tsigContext.key)
    const tally: TransferTally = { records: 0, messages: 0, bytes: 0 }
    const done = (): void => this.noteOut({ ...event, ...tally, ms: this.clock.now() - started })
    const messages = 'zone' in source ? axfrMessages(head, source.zone, this.messageSize, reserve, tally, done) : transferMessages(head, source.records, this.messageSize, reserve, tally, done)
    return respondStream(messages)
  }

  private noteOut(event: TransferOutEvent): void {
    this.transfersOut++
    this.emit('transfer-out', event)
  }

  // ---- NOTIFY ----

  private scheduleNotify(origin: string, zone: Zone): void {
    if (this.notifyMode === 'off') return
    const waiting = this.delayed.get(origin)
    if (waiting) {
      waiting.zone = zone
      return
    }
    const timer = this.clock.setTimeout(() => {
      const d = this.delayed.get(origin)
      this.delayed.delete(origin)
      if (d) this.sendNotify(d.zone)
    }, this.notifyDelayMs)
    this.delayed.set(origin, { zone, timer })
  }

  private sendNotify(zone: Zone): void {
    const targets = new Map<string, NotifyTarget>()
    if (this.notifyMode === 'all') for (const t of nsTargets(zone)) targets.set(`${t.address}#${t.port}`, t)
    for (const t of this.explicitTargets) targets.set(`${t.address}#${t.port ?? 53}`, t)
    for (const t of targets.values()) {
      const key = t.key === undefined ? undefined : this.keyring?.get(t.key)
      this.notifier.notify(zone.origin, zone.soa!, { address: t.address, port: t.port ?? 53 }, key)
    }
  }

  private checkTarget(t: NotifyTarget, where: string): void {
    if (!t || typeof t.address !== 'string' || t.address === '') throw new DnsHaError('ERR_CONFIG', `${where}: needs an address`)
    if (t.port !== undefined) checkInt(t.port, 1, 65535, `${where} port`)
    if (t.key !== undefined && this.keyring?.get(t.key) === undefined) throw new DnsHaError('ERR_CONFIG', `${where}: key ${JSON.stringify(t.key)} is not in the tsig keyring`)
  }

  private report<E extends 'notify-failed'>(event: E, payload: NotifyFailedEvent, message: string): void {
    if (this.listenerCount(event) === 0) process.emitWarning(message, { code: 'DNS_HA_NOTIFY_FAILED' })
    this.emit(event, payload)
  }
}

/** The NS hosts of `zone` other than the SOA MNAME, at the addresses the zone holds for them (port 53). */
export function nsTargets(zone: Zone): NotifyTarget[] {
  const mname = canonicalName((zone.soa!.data as { mname: string }).mname)
  const out: NotifyTarget[] = []
  for (const ns of zone.rrset(zone.origin, 'NS')?.records ?? []) {
    const host = canonicalName(ns.data as string)
    if (host === mname) continue
    for (const type of ['A', 'AAAA']) {
      for (const r of zone.rrset(host, type)?.records ?? []) out.push({ address: r.data as string, port: 53 })
    }
  }
  return out
}

/** The serial in an IXFR query's authority section (RFC 1995 §3), `undefined` when absent. */
function ixfrSerial(query: DnsQuery): number | undefined {
  const soa = query.packet.authorities?.find((a) => a.type === 'SOA')
  const serial = (soa as { data?: { serial?: unknown } } | undefined)?.data?.serial
  return typeof serial === 'number' ? serial : undefined
}

function journalKey(view: string, origin: string): string {
  return `${view}\0${origin}`
}

function checkInt(value: number, min: number, max: number, name: string): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new DnsHaError('ERR_CONFIG', `${name} must be an integer from ${min} to ${max}, got ${value}`)
  return value
}
